using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace Collector.Tests.Api;

/// <summary>One generated message: the labels and time the test expects the API to see for it.</summary>
public sealed record GeneratedLog(
    int Seq,
    DateTimeOffset Time,
    string Namespace,
    string Pod,
    string Container,
    string Host,
    string App,
    int Severity,
    string Body)
{
    public long TimeNs => (Time.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100;

    public string Label(string name) => name switch
    {
        "namespace" => Namespace,
        "pod" => Pod,
        "container" => Container,
        "host" => Host,
        "app" => App,
        _ => GeneratedLogs.SeverityNames[Severity],
    };
}

/// <summary>
/// Deterministic Kubernetes-like traffic for the API tests: namespaces, pods (one with characters SD must escape),
/// containers, hosts, apps, all severities, a few lines without Kubernetes labels, timestamps 10 s apart with ±30 s of
/// jitter (so blocks overlap in time). Each body carries <c>seq=N</c>, which maps a stored line back to its record.
/// </summary>
public static partial class GeneratedLogs
{
    public static readonly string[] SeverityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];
    public static readonly string[] Namespaces = ["web", "db", "kube-system"];
    public static readonly string[] Containers = ["main", "sidecar", "init"];
    public static readonly string[] Hosts = ["node-1", "node-2", "node-3"];
    public static readonly string[] Apps = ["nginx", "postgres", "kubelet"];
    public static readonly string[] Words = ["GET", "POST", "error", "timeout", "ok", "retry", "é日本", "user=42", "slow"];
    public static readonly DateTimeOffset Epoch = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    public static List<GeneratedLog> Create(int count, int seed = 5)
    {
        var random = new Random(seed);
        var logs = new List<GeneratedLog>(count);
        for (int seq = 0; seq < count; seq++)
        {
            var time = Epoch.AddSeconds((seq * 10) + random.Next(-30, 31)).AddTicks(random.Next(0, 1_000_000) * 10L);
            string ns = "", pod = "", container = "";
            if (random.Next(10) != 0)
            {
                ns = Namespaces[random.Next(Namespaces.Length)];
                int p = random.Next(5);
                pod = p == 4 && ns == "web" ? "we\"ird]pod" : $"{ns}-{p}";
                container = Containers[random.Next(Containers.Length)];
            }

            var body = new StringBuilder($"seq={seq.ToString(CultureInfo.InvariantCulture)}");
            int words = random.Next(1, 6);
            for (int w = 0; w < words; w++)
            {
                body.Append(' ').Append(Words[random.Next(Words.Length)]);
            }

            if (seq % 997 == 500)
            {
                body.Append(" rare-term-XYZ");
            }

            body.Append(' ').Append('x', random.Next(20, 200));
            string host = Hosts[random.Next(Hosts.Length)];
            string app = Apps[random.Next(Apps.Length)];
            logs.Add(new GeneratedLog(seq, time, ns, pod, container, host, app, random.Next(8), body.ToString()));
        }

        return logs;
    }

    public static byte[] Frame(GeneratedLog log)
    {
        string sd = log.Namespace.Length == 0 ? "-"
            : $"[k8s@32473 namespace=\"{Escape(log.Namespace)}\" pod=\"{Escape(log.Pod)}\" container=\"{Escape(log.Container)}\"]";
        string time = log.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var message = Encoding.UTF8.GetBytes($"<{(16 * 8) + log.Severity}>1 {time} {log.Host} {log.App} {log.Seq} - {sd} {log.Body}");
        return [.. Encoding.ASCII.GetBytes($"{message.Length} "), .. message];
    }

    public static async Task SendAsync(Stream stream, IEnumerable<GeneratedLog> logs)
    {
        var buffer = new MemoryStream();
        foreach (var log in logs)
        {
            buffer.Write(Frame(log));
        }

        await stream.WriteAsync(buffer.ToArray());
        await stream.FlushAsync();
    }

    /// <summary>The sequence number in a stored line, or -1.</summary>
    public static int SeqOf(string line)
    {
        var match = SeqPattern().Match(line);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>
    /// Every stored line in storage order: the oldest rotated file first (gzip'd ones decompressed), the
    /// current file last.
    /// </summary>
    public static List<string> ReadStoredLines(string messagesPath)
    {
        var files = new List<string>();
        for (int i = 100; i >= 1; i--)
        {
            foreach (string candidate in new[] { $"{messagesPath}.{i}.gz", $"{messagesPath}.{i}" })
            {
                if (File.Exists(candidate))
                {
                    files.Add(candidate);
                    break;
                }
            }
        }

        files.Add(messagesPath);
        var lines = new List<string>();
        foreach (string file in files.Where(File.Exists))
        {
            using var raw = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using Stream text = file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new StreamReader(text, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    /// <summary>True once rotation's background gzip is done: no plain file past .1 and no temporary file.</summary>
    public static bool CompressionSettled(string messagesPath)
    {
        string dir = Path.GetDirectoryName(messagesPath)!;
        string name = Path.GetFileName(messagesPath);
        return !Directory.EnumerateFiles(dir, name + ".*").Any(f =>
            f.EndsWith(".tmp", StringComparison.Ordinal) || PlainRotated().IsMatch(Path.GetFileName(f)[name.Length..]));
    }

    private static string Escape(string value) => value
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal)
        .Replace("]", "\\]", StringComparison.Ordinal);

    [GeneratedRegex(@"seq=(\d+)")]
    private static partial Regex SeqPattern();

    [GeneratedRegex(@"^\.([2-9]|\d\d+)$")]
    private static partial Regex PlainRotated();
}
