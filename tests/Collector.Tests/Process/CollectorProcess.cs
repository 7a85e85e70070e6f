using System.Net;
using System.Text.RegularExpressions;
using TestSupport;

namespace Collector.Tests.Process;

/// <summary>
/// The Collector executable (the apphost copied next to the tests) as a real child process, for what only a process
/// shows: exit codes, SIGTERM handling, restarts. Ports are picked by the kernel (port 0) and read from its log.
/// </summary>
public sealed partial class CollectorProcess : IAsyncDisposable
{
    private ForegroundProcess _process = null!;

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "Collector");

    public IPEndPoint? Tcp { get; private set; }

    /// <summary>Set when it was started with <c>--udp</c>.</summary>
    public IPEndPoint? Udp { get; private set; }

    public string Output => _process.Output;

    /// <summary>The RELP listener from the log (port 0 resolved).</summary>
    public IPEndPoint? Relp { get; private set; }

    public int ExitCode => _process.ExitCode;

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
        StartExecutableAsync(Executable, file, extraArgs);

    /// <summary>Starts <paramref name="executable"/> (e.g. a natively published build) on loopback port 0.</summary>
    public static async Task<CollectorProcess> StartExecutableAsync(string executable, string file, params string[] extraArgs)
    {
        var collector = new CollectorProcess();
        collector._process = ForegroundProcess.Start(
            executable,
            ["--tcp", "127.0.0.1:0", "--udp", "", "--http", "127.0.0.1:0", "--relp", "127.0.0.1:0", "--file", file, .. extraArgs],
            collector.Watch);
        await Wait.UntilAsync(() => collector.Tcp is not null || collector._process.HasExited, "the Collector to listen", TimeSpan.FromSeconds(30));
        if (collector.Tcp is null)
        {
            throw new InvalidOperationException($"the Collector exited with {collector._process.ExitCode}:\n{collector.Output}");
        }

        return collector;
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
        var match = Listening().Match(line);
        if (match.Success)
        {
            Tcp = IPEndPoint.Parse(match.Groups[1].Value);
        }

        var relp = RelpListening().Match(line);
        if (relp.Success)
        {
            Relp = IPEndPoint.Parse(relp.Groups[1].Value);
        }

        var udp = UdpListening().Match(line);
        if (udp.Success)
        {
            Udp = IPEndPoint.Parse(udp.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"Receiving RELP on tcp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex RelpListening();

    [GeneratedRegex(@"Receiving syslog on udp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex UdpListening();

    [GeneratedRegex(@"Receiving syslog on tcp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex Listening();
}
