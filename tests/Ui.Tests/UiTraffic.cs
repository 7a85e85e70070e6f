using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Ui.Tests;

/// <summary>One generated message and what the UI should show for it.</summary>
public sealed partial record UiLog(int Seq, DateTimeOffset Time, string Namespace, string Pod, int Severity, string Body)
{
    public static readonly string[] SeverityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    public string Marker => $"seq={Seq.ToString(CultureInfo.InvariantCulture)} ";

    /// <summary>The seq of a shown or stored line (its <c>seq=N</c>); fails the test when there is none.</summary>
    public static int SeqOf(string line)
    {
        var match = SeqPattern().Match(line);
        Assert.True(match.Success, $"seq= in {line}");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"seq=(\d+)")]
    private static partial Regex SeqPattern();
}

/// <summary>
/// Recent traffic for the browser tests: <see cref="Count"/> messages 5 s apart ending a few seconds ago (so the
/// default 1 h range holds them all), three namespaces, four pods each, every severity, "timeout" in every 7th.
/// </summary>
public static class UiTraffic
{
    public const int Count = 600;
    public static readonly string[] Namespaces = ["web", "db", "kube-system"];

    public static List<UiLog> Create(DateTimeOffset now)
    {
        var first = now.AddSeconds(-5 * (Count + 1));
        return Enumerable.Range(0, Count).Select(i =>
        {
            string ns = Namespaces[i % 3];
            string body = $"seq={i.ToString(CultureInfo.InvariantCulture)} " +
                $"{(i % 7 == 0 ? "upstream timeout after 30s" : "request served")} path=/api/{i % 11}";
            return new UiLog(i, first.AddSeconds(5 * i), ns, $"{ns}-{i % 4}", i % 8, body);
        }).ToList();
    }

    public static byte[] Frame(UiLog log)
    {
        string time = log.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        string sd = $"[k8s@32473 namespace=\"{log.Namespace}\" pod=\"{log.Pod}\" container=\"main\"]";
        var message = Encoding.UTF8.GetBytes($"<{(16 * 8) + log.Severity}>1 {time} node-{(log.Seq % 2) + 1} app-{log.Namespace} - - {sd} {log.Body}");
        return [.. Encoding.ASCII.GetBytes($"{message.Length} "), .. message];
    }

    public static async Task SendAsync(System.Net.IPEndPoint tcp, IEnumerable<UiLog> logs)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(tcp);
        var buffer = new MemoryStream();
        foreach (var log in logs)
        {
            buffer.Write(Frame(log));
        }

        await client.GetStream().WriteAsync(buffer.ToArray());
        await client.GetStream().FlushAsync();
    }
}
