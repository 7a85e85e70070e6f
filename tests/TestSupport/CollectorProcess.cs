using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace TestSupport;

/// <summary>
/// The Collector as a real child process, for what only a process shows: exit codes, SIGTERM handling, restarts, the
/// native build, a forwarder shipping to it. Every port is picked by the kernel (port 0) and read from its log, so
/// nothing is reserved ahead and raced for. Killed by its PID on dispose. Shared by Collector.Tests and EndToEnd.Tests.
/// </summary>
public sealed partial class CollectorProcess : IAsyncDisposable
{
    private ForegroundProcess _process = null!;
    private Uri? _http;

    private CollectorProcess(string file) => File = file;

    /// <summary>
    /// The apphost copied next to the test assembly (Collector.Tests references the Collector project).
    /// </summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "Collector");

    public string File { get; }

    public IPEndPoint? Tcp { get; private set; }

    /// <summary>Set when it was started with <c>--udp</c>.</summary>
    public IPEndPoint? Udp { get; private set; }

    /// <summary>The API's base address (with a trailing slash).</summary>
    public Uri Http => _http ?? throw new InvalidOperationException("the Collector has not said where it serves HTTP");

    public string Output => _process.Output;

    /// <summary>The RELP listener from the log (port 0 resolved).</summary>
    public IPEndPoint? Relp { get; private set; }

    /// <summary>The RELP-over-TLS listener from the log, when started with <c>--relp-tls</c>.</summary>
    public IPEndPoint? RelpTls { get; private set; }

    /// <summary>The HTTPS endpoint from the log, when started with <c>--https</c>.</summary>
    public IPEndPoint? Https { get; private set; }

    public int ExitCode => _process.ExitCode;

    /// <summary>The running Collector's PID, for its memory and CPU time.</summary>
    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no shutdown, no drain; what the kernel has of the file stays.</summary>
    public async Task KillAsync()
    {
        await SignalAsync("KILL");
        await Wait.ForAsync(_process.WaitForExitAsync(), "the Collector to die after SIGKILL", TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs the Collector to completion (for configuration errors and --help).</summary>
    public static Task<ProcessRunner.Result> RunAsync(params string[] args) =>
        ProcessRunner.RunAsync(Executable, args, TimeSpan.FromSeconds(30));

    public static Task<CollectorProcess> StartAsync(string file, params string[] extraArgs) =>
        StartCommandAsync(Executable, [], file, extraArgs);

    /// <summary>Starts <paramref name="executable"/> (e.g. a natively published build) on loopback port 0.</summary>
    public static Task<CollectorProcess> StartExecutableAsync(string executable, string file, params string[] extraArgs) =>
        StartCommandAsync(executable, [], file, extraArgs);

    /// <summary>
    /// Starts the Collector with extra environment variables, e.g. <c>shutdownTimeoutSeconds</c> (the host's shutdown
    /// timeout, 30 s by default) for a test that lets it run out.
    /// </summary>
    public static Task<CollectorProcess> StartWithEnvironmentAsync(
        string file, IReadOnlyDictionary<string, string> environment, params string[] extraArgs) =>
        StartCommandAsync(Executable, [], file, extraArgs, environment);

    /// <summary>
    /// Starts <paramref name="command"/> with <paramref name="prefix"/> first (<c>dotnet Collector.dll</c>)
    /// on loopback port 0.
    /// </summary>
    public static Task<CollectorProcess> StartCommandAsync(string command, IReadOnlyList<string> prefix, string file, params string[] extraArgs) =>
        StartCommandAsync(command, prefix, file, extraArgs, environment: null);

    private static async Task<CollectorProcess> StartCommandAsync(
        string command,
        IReadOnlyList<string> prefix,
        string file,
        string[] extraArgs,
        IReadOnlyDictionary<string, string>? environment)
    {
        var collector = new CollectorProcess(file);
        collector._process = ForegroundProcess.Start(
            command,
            [.. prefix, "--tcp", "127.0.0.1:0", "--udp", "", "--http", "127.0.0.1:0", "--relp", "127.0.0.1:0", "--file", file, .. extraArgs],
            collector.Watch,
            environment);
        await Wait.UntilAsync(
            () => (collector.Tcp is not null && collector._http is not null) || collector._process.HasExited,
            "the Collector to listen",
            TimeSpan.FromSeconds(30));
        if (collector.Tcp is null || collector._http is null)
        {
            string output = collector.Output;
            int exitCode = collector._process.HasExited ? collector._process.ExitCode : -1;
            await collector.DisposeAsync();
            throw new InvalidOperationException($"the Collector exited with {exitCode}:\n{output}");
        }

        return collector;
    }

    /// <summary>The complete lines of the messages file (a line still being written is left out).</summary>
    public string[] ReadLines()
    {
        if (!System.IO.File.Exists(File))
        {
            return [];
        }

        using var stream = new FileStream(File, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        int end = bytes.LastIndexOf((byte)'\n');
        return end < 0 ? [] : Encoding.UTF8.GetString(bytes[..end]).Split('\n');
    }

    /// <summary>Sends a signal by name (<c>HUP</c>, <c>TERM</c>) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        var kill = await ProcessRunner.RunAsync("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Sends SIGTERM, as Kubernetes does, and waits for the exit.</summary>
    public async Task<int> TerminateAsync()
    {
        await SignalAsync("TERM");
        await Wait.ForAsync(_process.WaitForExitAsync(), "the Collector to exit after SIGTERM", TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private void Watch(string line)
    {
        if (Listening().Match(line) is { Success: true } tcp)
        {
            Tcp = IPEndPoint.Parse(tcp.Groups[1].Value);
        }

        if (RelpListening().Match(line) is { Success: true } relp)
        {
            Relp = IPEndPoint.Parse(relp.Groups[1].Value);
        }

        if (RelpTlsListening().Match(line) is { Success: true } relpTls)
        {
            RelpTls = IPEndPoint.Parse(relpTls.Groups[1].Value);
        }

        if (UdpListening().Match(line) is { Success: true } udp)
        {
            Udp = IPEndPoint.Parse(udp.Groups[1].Value);
        }

        if (HttpsListening().Match(line) is { Success: true } https)
        {
            Https = IPEndPoint.Parse(https.Groups[1].Value);
        }

        if (HttpListening().Match(line) is { Success: true } http)
        {
            _http = new Uri($"http://{http.Groups[1].Value}/");
        }
    }

    [GeneratedRegex(@"Receiving syslog on tcp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"Receiving RELP on tcp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex RelpListening();

    [GeneratedRegex(@"Receiving RELP over TLS on tcp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex RelpTlsListening();

    [GeneratedRegex(@"Receiving syslog on udp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex UdpListening();

    [GeneratedRegex(@"and /metrics on http://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex HttpListening();

    [GeneratedRegex(@"and /metrics on https://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex HttpsListening();
}
