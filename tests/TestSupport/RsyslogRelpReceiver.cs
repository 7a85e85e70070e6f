using System.Globalization;
using System.Text;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A private <c>rsyslogd -n -f CONF -i PIDFILE</c> receiving RELP (<c>imrelp</c>, Debian package rsyslog-relp) on a
/// loopback port, writing each message to one file by a template. It can be stopped (SIGTERM, as a service stop) and
/// started again on the same port. The main queue is Direct, so imrelp answers a message only after omfile wrote it:
/// what rsyslog acknowledged is in the file even after a stop. Killed by its PID on dispose.
/// </summary>
public sealed class RsyslogRelpReceiver : IAsyncDisposable
{
    private readonly string _binary;
    private readonly string _config;
    private readonly string _pidFile;
    private ForegroundProcess? _process;
    private readonly StringBuilder _diagnostics = new();

    private RsyslogRelpReceiver(string binary, string config, string pidFile, string output, int port)
    {
        _binary = binary;
        _config = config;
        _pidFile = pidFile;
        OutputPath = output;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The running rsyslogd's PID (0 while stopped), for its memory and CPU time.</summary>
    public int ProcessId => _process?.Id ?? 0;

    public string OutputPath { get; }

    /// <summary>What every rsyslogd run printed so far, for failure messages.</summary>
    public string Diagnostics => _diagnostics + (_process?.Output ?? string.Empty);

    /// <summary>
    /// Starts it and waits until imrelp listens; <paramref name="port"/> 0 picks a free one.
    /// <paramref name="inputParameters"/> go into imrelp's <c>input()</c> as written (e.g. <c>tls="on"
    /// tls.cacert=…</c>), <paramref name="moduleParameters"/> into its <c>module()</c> (e.g.
    /// <c>tls.tlslib="openssl"</c>).
    /// </summary>
    public static async Task<RsyslogRelpReceiver> StartAsync(
        TempDirectory directory,
        string template = @"%msg%\n",
        int port = 0,
        string inputParameters = "",
        string moduleParameters = "")
    {
        string binary = Peers.Require("rsyslogd");
        string dir = directory.Combine("rsyslog-relp");
        Directory.CreateDirectory(dir);
        string output = Path.Combine(dir, "messages.log");
        string config = Path.Combine(dir, "rsyslog.conf");
        port = port == 0 ? LoopbackTcpReceiver.ReservePort() : port;
        await File.WriteAllTextAsync(config, $$"""
            global(workDirectory="{{dir}}" net.enableDNS="off" maxMessageSize="256k")
            main_queue(queue.type="Direct")
            module(load="imrelp" {{moduleParameters}})
            template(name="t" type="string" string="{{template}}")
            ruleset(name="relp") { action(type="omfile" file="{{output}}" template="t") }
            input(type="imrelp" address="127.0.0.1" port="{{port.ToString(CultureInfo.InvariantCulture)}}" ruleset="relp"
                maxDataSize="256k" {{inputParameters}})
            """);
        var receiver = new RsyslogRelpReceiver(binary, config, Path.Combine(dir, "rsyslogd.pid"), output, port);
        try
        {
            await receiver.RunAsync();
            return receiver;
        }
        catch
        {
            await receiver.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// SIGTERM and wait for the exit, as <c>systemctl stop</c> would; the port stays reserved for
    /// <see cref="RestartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        var kill = await ProcessRunner.RunAsync("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        if (kill.ExitCode != 0)
        {
            throw new XunitException($"kill -TERM {process.Id} failed: {kill.StandardError}");
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _diagnostics.AppendLine(process.Output);
        await process.DisposeAsync();
        _process = null;
    }

    /// <summary>Starts rsyslogd again with the same configuration and port.</summary>
    public Task RestartAsync() => RunAsync();

    /// <summary>The complete lines written so far (a line still being written is left out).</summary>
    public IReadOnlyList<string> ReadLines()
    {
        if (!File.Exists(OutputPath))
        {
            return [];
        }

        using var stream = new FileStream(OutputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        int end = bytes.LastIndexOf((byte)'\n');
        return end < 0 ? [] : Encoding.UTF8.GetString(bytes[..end]).Split('\n');
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync();
            _process = null;
        }
    }

    private async Task RunAsync()
    {
        var process = ForegroundProcess.Start(_binary, ["-n", "-f", _config, "-i", _pidFile]);
        _process = process;

        // imrelp writes no port file: it listens once a connect succeeds (the probe is an empty session rsyslog logs
        // and drops).
        await Wait.UntilAsync(() => process.HasExited || Listening(Port), "rsyslogd's imrelp to listen");
        if (process.HasExited)
        {
            throw new XunitException($"rsyslogd exited with {process.ExitCode}: {Diagnostics}");
        }
    }

    private static bool Listening(int port)
    {
        // /proc/net/tcp lists listening sockets (state 0A) without connecting to them.
        string hex = port.ToString("X4", CultureInfo.InvariantCulture);
        try
        {
            return File.ReadLines("/proc/net/tcp").Skip(1)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Any(c => c.Length > 3 && c[1].EndsWith(":" + hex, StringComparison.Ordinal) && c[3] == "0A");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
