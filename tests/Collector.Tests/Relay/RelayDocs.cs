using System.Net;
using System.Net.Sockets;
using System.Text;
using TestSupport;

namespace Collector.Tests.Relay;

/// <summary>Relay documents and small HTTP and syslog helpers for the relay tests.</summary>
internal static class RelayDocs
{
    public static string Doc(string name, int port, string protocol = "tcp", string extra = "") =>
        $"kind: logforwarder\nversion: v2\nmetadata:\n  name: {name}\nspec:\n  address: \"127.0.0.1:{port}\"\n  protocol: {protocol}\n{extra}";

    public static void Write(TempDirectory dir, string name, int port, string protocol = "tcp", string extra = "") =>
        File.WriteAllText(dir.Combine("relays", name + ".yaml"), Doc(name, port, protocol, extra));

    public static HttpClient Http(RunningCollector collector) => new() { BaseAddress = new Uri($"http://{collector.Http}") };

    /// <summary>
    /// Sends numbered messages from stream <paramref name="stream"/> over one TCP connection and closes it.
    /// </summary>
    public static async Task SendAsync(RunningCollector collector, int stream, int first, int count)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(collector.Tcp);
        await SequencedMessages.SendAsync(client.GetStream(), stream, first, count, octetCounted: true);
    }

    /// <summary>
    /// The sequence numbers in frames (as sent by <see cref="SequencedMessages"/>), for counting duplicates and gaps.
    /// </summary>
    public static int[] Sequences(IEnumerable<SyslogTestListener.ReceivedFrame> frames, int stream) =>
        frames.Select(f => Encoding.UTF8.GetString(f.Payload))
            .Select(text => (text, at: text.IndexOf($"stream={stream} seq=", StringComparison.Ordinal)))
            .Where(p => p.at >= 0)
            .Select(p => int.Parse(p.text.AsSpan(p.at + $"stream={stream} seq=".Length, 9), System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();

    /// <summary>
    /// <see cref="Wait.UntilAsync(Func{bool}, string, TimeSpan?)"/> that adds the relays' status to the failure.
    /// </summary>
    public static async Task UntilAsync(RunningCollector collector, Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        try
        {
            await Wait.UntilAsync(condition, what, timeout);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}; relays: {await StatusText(collector)}");
        }
    }

    public static Task<string> StatusText(RunningCollector collector) => collector.GetAsync("/api/v1/relays");

    public static Task<string> MetricsAsync(RunningCollector collector) => collector.GetAsync("/metrics");

    /// <summary>A metric's value for one relay from /metrics, or -1 when absent.</summary>
    public static double Metric(string metrics, string name, string relay)
    {
        string prefix = $"kubesyslog_collector_{name}{{relay=\"{relay}\"}} ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? -1 : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);
}
