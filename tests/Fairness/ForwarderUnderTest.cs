using System.Globalization;
using TestSupport;

namespace Fairness;

/// <summary>
/// The Forwarder as a real process (a binary, or <c>dotnet Forwarder.dll</c>) with its /metrics on loopback.
/// </summary>
internal sealed class ForwarderUnderTest(ForegroundProcess process, Uri http) : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static async Task<ForwarderUnderTest> StartAsync(
        string forwarder, string include, string target, string state, IReadOnlyList<string> extra)
    {
        int port = LoopbackTcpReceiver.ReservePort();
        var args = new List<string>
        {
            "--include", include, "--to", target, "--state", state, "--node", "fairness-node",
            "--http", $"127.0.0.1:{port}", "--log-level", "Warning",
        };
        args.AddRange(extra);
        bool dll = forwarder.EndsWith(".dll", StringComparison.Ordinal);
        var process = ForegroundProcess.Start(dll ? "dotnet" : forwarder, dll ? [forwarder, .. args] : args, Console.WriteLine);
        return new ForwarderUnderTest(process, new Uri($"http://127.0.0.1:{port}"));
    }

    public bool HasExited => process.HasExited;

    public async Task<double?> MetricAsync(string name)
    {
        try
        {
            string text = await Http.GetStringAsync(new Uri(http, "/metrics"));
            foreach (string line in text.Split('\n'))
            {
                if (line.StartsWith(name + " ", StringComparison.Ordinal))
                {
                    return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
                }
            }

            return null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
