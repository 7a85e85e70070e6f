using System.Globalization;
using System.Text;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A private <c>rsyslogd -n -f CONF -i PIDFILE</c> in the foreground with its own config in a
/// <see cref="TempDirectory"/>: imtcp and imudp on 127.0.0.1 (port 0, so the kernel picks free ports), every message
/// written to one file by a template. Killed by its PID on dispose; the system service is never touched.
/// </summary>
public sealed class RsyslogProcess : IAsyncDisposable
{
    /// <summary>
    /// The fields of each message separated by TAB: rsyslog escapes control characters on receipt (TAB becomes
    /// <c>#011</c>), so a TAB in the file is always our delimiter and a line break always ends a message.
    /// </summary>
    public const string FieldsTemplate =
        @"%pri%\t%protocol-version%\t%timestamp:::date-rfc3339%\t%hostname%\t%app-name%\t%procid%\t%msgid%\t%structured-data%\t%msg%\n";

    private readonly ForegroundProcess _process;

    private RsyslogProcess(ForegroundProcess process, string outputPath)
    {
        _process = process;
        OutputPath = outputPath;
    }

    public int TcpPort { get; private set; }

    public int UdpPort { get; private set; }

    public string OutputPath { get; }

    /// <summary>What rsyslogd printed, for failure messages.</summary>
    public string Diagnostics => _process.Output;

    /// <summary>
    /// Starts it and waits until it listens. <paramref name="globalParameters"/> go into <c>global()</c> and
    /// <paramref name="tcpModuleParameters"/> into imtcp's <c>module()</c> as written, e.g. TLS with
    /// <c>DefaultNetstreamDriverCAFile=…</c> and <c>StreamDriver.Name="gtls" StreamDriver.Mode="1"</c>.
    /// </summary>
    public static async Task<RsyslogProcess> StartAsync(
        TempDirectory directory,
        string template = FieldsTemplate,
        string globalParameters = "",
        string tcpModuleParameters = "")
    {
        string binary = Peers.Require("rsyslogd");
        string output = directory.Combine("messages.log");
        string portFile = directory.Combine("tcp.port");
        string config = directory.Combine("rsyslog.conf");
        await File.WriteAllTextAsync(config, $$"""
            global(workDirectory="{{directory.Path}}" net.enableDNS="off" maxMessageSize="64k" {{globalParameters}})
            module(load="imtcp" {{tcpModuleParameters}})
            module(load="imudp")
            template(name="fields" type="string" string="{{template}}")
            ruleset(name="test") { action(type="omfile" file="{{output}}" template="fields") }
            input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="{{portFile}}" ruleset="test")
            input(type="imudp" address="127.0.0.1" port="0" ruleset="test")
            """);

        var rsyslog = new RsyslogProcess(ForegroundProcess.Start(binary, ["-n", "-f", config, "-i", directory.Combine("rsyslogd.pid")]), output);
        var process = rsyslog._process;
        try
        {
            // imtcp writes the port file once it listens; imudp has no such file, so find its bound socket in /proc.
            await Wait.UntilAsync(() => process.HasExited || ForegroundProcess.ReadPortFile(portFile) > 0, "rsyslogd to listen on TCP");
            await Wait.UntilAsync(() => process.HasExited || UdpPortOf(process.Id) > 0, "rsyslogd to bind its UDP port");
            if (process.HasExited)
            {
                throw new XunitException($"rsyslogd exited with {process.ExitCode}: {rsyslog.Diagnostics}");
            }

            rsyslog.TcpPort = ForegroundProcess.ReadPortFile(portFile);
            rsyslog.UdpPort = UdpPortOf(process.Id);
            return rsyslog;
        }
        catch
        {
            await rsyslog.DisposeAsync();
            throw;
        }
    }

    /// <summary>The complete lines written so far (a line still being written is left out), decoded as UTF-8.</summary>
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

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>
    /// The local port of the process's IPv4 UDP socket: its fd links name socket inodes listed in /proc/net/udp.
    /// </summary>
    private static int UdpPortOf(int pid)
    {
        try
        {
            var inodes = Directory.GetFiles($"/proc/{pid}/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                .Select(target => target![8..^1])
                .ToHashSet();

            // "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
            foreach (var line in File.ReadLines($"/proc/{pid}/net/udp").Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length > 9 && inodes.Contains(columns[9]))
                {
                    return int.Parse(columns[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process is starting or gone; the caller waits and checks HasExited.
            return 0;
        }

        return 0;
    }

}
