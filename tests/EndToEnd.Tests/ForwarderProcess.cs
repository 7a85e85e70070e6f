using System.Globalization;
using System.Text.RegularExpressions;
using TestSupport;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// The Forwarder as a real process (<c>dotnet Forwarder.dll</c>) with its HTTP endpoint on a loopback port the kernel
/// picks (port 0), read back from its log, so /healthz and /metrics can be read; killed with SIGKILL on dispose, as a
/// crash would end it.
/// </summary>
public sealed partial class ForwarderProcess : IAsyncDisposable
{
    public const string Node = "node-e2e";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private readonly ForegroundProcess _process;

    private ForwarderProcess(ForegroundProcess process)
    {
        _process = process;
    }

    /// <summary>The HTTP endpoint, known once the log named it.</summary>
    public Uri HttpBase { get; private set; } = new("http://127.0.0.1:0");

    public int Id => _process.Id;

    public string Output => _process.Output;

    /// <summary>
    /// Starts it and waits until /healthz says its first scan is done. The log must stay at Information or below
    /// (no <c>--log-level Warning</c> in <paramref name="extraArgs"/>): the HTTP port is read from it. The node is
    /// <see cref="Node"/> unless <paramref name="extraArgs"/> names one.
    /// </summary>
    public static async Task<ForwarderProcess> StartAsync(string include, IEnumerable<string> targets, string state, params string[] extraArgs)
    {
        var args = new List<string> { Binaries.ForwarderDll, "--include", include, "--state", state, "--http", "127.0.0.1:0" };
        if (!extraArgs.Contains("--node"))
        {
            args.AddRange(["--node", Node]);
        }

        foreach (string target in targets)
        {
            args.Add("--to");
            args.Add(target);
        }

        args.AddRange(extraArgs);
        var forwarder = new ForwarderProcess(ForegroundProcess.Start("dotnet", args));
        try
        {
            bool healthy = false;
            var deadline = Environment.TickCount64 + 30_000;
            Match listening = Match.Empty;
            while (!healthy && !forwarder._process.HasExited && Environment.TickCount64 < deadline)
            {
                // With port 0 the log is the only place that says which port the kernel chose.
                if (!listening.Success && (listening = HttpListening().Match(forwarder.Output)).Success)
                {
                    forwarder.HttpBase = new Uri($"http://127.0.0.1:{listening.Groups[1].Value}");
                }

                healthy = listening.Success && await forwarder.IsHealthyAsync();
                if (!healthy)
                {
                    await Task.Delay(20);
                }
            }

            if (!healthy)
            {
                throw new XunitException(forwarder._process.HasExited
                    ? $"the Forwarder exited with {forwarder._process.ExitCode}:\n{forwarder.Output}"
                    : $"the Forwarder did not answer /healthz within 30 s:\n{forwarder.Output}");
            }

            return forwarder;
        }
        catch
        {
            await forwarder.DisposeAsync();
            throw;
        }
    }

    public async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(HttpBase, "/healthz"));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public Task<string> MetricsAsync() => Http.GetStringAsync(new Uri(HttpBase, "/metrics"));

    /// <summary>The sum of a metric's series, e.g. <c>kubesyslog_forwarder_shipped_lines_total</c>.</summary>
    public async Task<double> MetricAsync(string name) => Metrics.Sum(await MetricsAsync(), name);

    /// <summary>Resident memory now (VmRSS in /proc/PID/status), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS in /proc/{Id}/status");
    }

    /// <summary>
    /// SIGKILL (what <see cref="System.Diagnostics.Process.Kill(bool)"/> sends on Linux): no flush, no last checkpoint.
    /// </summary>
    public ValueTask KillAsync() => _process.DisposeAsync();

    /// <summary>SIGTERM, as Kubernetes stops a pod; waits for the exit and returns its code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var kill = await ProcessRunner.RunAsync("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(0, kill.ExitCode);
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"HTTP \(healthz, metrics\) on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex HttpListening();
}
