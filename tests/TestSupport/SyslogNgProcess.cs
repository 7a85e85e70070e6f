using System.Net;
using Xunit;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A private syslog-ng (<c>syslog-ng -F</c>) in the foreground with its own config, pid file, persist file and control
/// socket in a <see cref="TempDirectory"/>. syslog-ng-core conflicts with rsyslog in Debian, so .ci/run unpacks its
/// package into <see cref="DefaultRoot"/> (or <c>$SYSLOG_NG_ROOT</c>) instead of installing it; it runs from there with
/// its own libraries and modules. It reads the messages from a file written before it starts (a file source starts
/// at the top of a file it has no saved position for) and forwards them with the <c>syslog()</c> destination (RFC 5424,
/// octet-counted, RFC 6587) over the given transport. Killed by its PID on dispose.
/// </summary>
public sealed class SyslogNgProcess : IAsyncDisposable
{
    public const string DefaultRoot = "/opt/kube-syslog-peers/syslog-ng";

    private readonly ForegroundProcess _process;

    private SyslogNgProcess(ForegroundProcess process) => _process = process;

    /// <summary>Where the unpacked package is (its <c>usr/sbin/syslog-ng</c>).</summary>
    public static string Root => Environment.GetEnvironmentVariable("SYSLOG_NG_ROOT") is { Length: > 0 } root ? root : DefaultRoot;

    public static string Binary => Path.Combine(Root, "usr", "sbin", "syslog-ng");

    /// <summary>What syslog-ng printed (its own messages go to stderr with <c>-e</c>), for failure messages.</summary>
    public string Diagnostics => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>Why a syslog-ng test is skipped here, or null when it runs (always with REQUIRE_PEERS).</summary>
    public static string? SkipReason() =>
        Peers.Required || File.Exists(Binary)
            ? null
            : $"needs syslog-ng unpacked at {Root} (.ci/run does it: apt-get download syslog-ng-core; dpkg-deb -x; or set " +
                "SYSLOG_NG_ROOT); set REQUIRE_PEERS=1 to fail instead of skipping";

    /// <summary>
    /// Starts syslog-ng sending every line of <paramref name="messages"/> (RFC 5424 without framing) to
    /// <paramref name="target"/>; <paramref name="transport"/> is the body of the destination's options after the
    /// port, e.g. <c>transport("tls") tls(ca-file("…"))</c> or <c>transport("tcp")</c>.
    /// </summary>
    public static async Task<SyslogNgProcess> StartAsync(TempDirectory directory, IEnumerable<byte[]> messages, IPEndPoint target, string transport)
    {
        string binary = File.Exists(Binary)
            ? Binary
            : throw new XunitException($"syslog-ng not found at {Binary}: run .ci/run's syslog-ng block, or set SYSLOG_NG_ROOT");
        string library = Path.Combine(Root, "usr", "lib", "syslog-ng");
        string modules = Directory.GetDirectories(library).Single(d => char.IsAsciiDigit(Path.GetFileName(d)[0]));
        string input = directory.Combine("syslog-ng-input.log");
        using (var file = File.Create(input))
        {
            foreach (var message in messages)
            {
                file.Write(message);
                file.WriteByte((byte)'\n');
            }
        }

        // keep-hostname and keep-timestamp: forward what the sender wrote (syslog-ng would put in its own host name);
        // frac-digits(6) and send-time-zone keep the microseconds and UTC. time-reopen(1): a refused connection is
        // tried again after a second, not the default minute.
        string config = directory.Combine("syslog-ng.conf");
        await File.WriteAllTextAsync(config, $$"""
            @version: {{Path.GetFileName(modules)}}
            options { keep-hostname(yes); keep-timestamp(yes); frac-digits(6); send-time-zone("+00:00"); time-reopen(1);
                      stats-freq(0); use-dns(no); };
            source s_file { file("{{input}}" flags(syslog-protocol) follow-freq(1)); };
            destination d_collector { syslog("{{target.Address}}" port({{target.Port}}) {{transport}}); };
            log { source(s_file); destination(d_collector); };

            """);
        var process = ForegroundProcess.Start(
            binary,
            [
                "-F", "-e", "--no-caps", "-f", config, $"--module-path={modules}",
                "--persist-file", directory.Combine("syslog-ng.persist"), "--pidfile", directory.Combine("syslog-ng.pid"),
                "--control", directory.Combine("syslog-ng.ctl"),
            ],
            environment: new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = library });
        var syslogNg = new SyslogNgProcess(process);
        try
        {
            // The pid file is written once the config is read and the sources and destinations are up.
            await Wait.UntilAsync(() => process.HasExited || File.Exists(directory.Combine("syslog-ng.pid")), "syslog-ng to start");
            if (process.HasExited)
            {
                throw new XunitException($"syslog-ng exited with {process.ExitCode}: {syslogNg.Diagnostics}");
            }

            return syslogNg;
        }
        catch
        {
            await syslogNg.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

/// <summary>
/// A fact that needs the unpacked syslog-ng and openssl: skipped with the reason, failed under REQUIRE_PEERS=1.
/// </summary>
public sealed class SyslogNgFactAttribute : FactAttribute
{
    public SyslogNgFactAttribute() => Skip = Peers.SkipReason("openssl") ?? SyslogNgProcess.SkipReason();
}
