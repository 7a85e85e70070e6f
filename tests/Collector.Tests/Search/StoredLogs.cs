using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Collector.Configuration;
using Collector.Search;
using Collector.Storage;
using Collector.Storage.Index;
using Shared.Syslog;
using TestSupport;

namespace Collector.Tests.Search;

/// <summary>One line written to the stored files, with what the test needs to know about it.</summary>
public sealed record StoredTestLine(int Number, long TimeNs, string Pod, string Severity, string Line, string Text = "");

/// <summary>
/// Messages files in a temp directory (<c>messages.2.gz</c>, <c>messages.1</c>, <c>messages</c>, oldest first), written
/// as the Collector's <c>file</c> format, with the read side (index, gate, engine, volume counter) over them.
/// </summary>
public sealed class StoredLogs : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
    public static readonly long StartNs = Start.ToUnixTimeMilliseconds() * 1_000_000;

    private static readonly string[] Severities = ["info", "err", "warning", "debug"];
    private readonly TempDirectory _dir;
    private int _next;

    private StoredLogs(TempDirectory dir)
    {
        _dir = dir;
        Options = new CollectorOptions { File = dir.Combine("messages"), MaxFiles = 9 };
        Store = new IndexStore(Options, TimeProvider.System, new TypedLogger<IndexStore>(Log));
        Engine = new SearchEngine(Store, Gate, TimeProvider.System);
        Volume = new VolumeCounter(Store, Gate);
    }

    public CollectorOptions Options { get; }

    public CollectingLogger Log { get; } = new();

    public ReadGate Gate { get; } = new();

    public IndexStore Store { get; }

    public SearchEngine Engine { get; }

    public VolumeCounter Volume { get; }

    /// <summary>Every line written, in storage order (oldest file first).</summary>
    public List<StoredTestLine> Lines { get; } = [];

    public static StoredLogs Create([CallerMemberName] string name = "test") => new(TempDirectory.Create(name));

    /// <summary>
    /// Three files of <paramref name="perFile"/> lines, one second apart; the pod changes every
    /// <paramref name="podRun"/> lines (pod-0, pod-1, pod-2, …), the severity every line, every 97th line
    /// holds "needle".
    /// </summary>
    public static StoredLogs CreateThreeFiles(int perFile = 3000, int podRun = 1000, [CallerMemberName] string name = "test")
    {
        var logs = Create(name);
        foreach (string suffix in (string[])[".2.gz", ".1", string.Empty])
        {
            logs.Write(suffix, Enumerable.Range(0, perFile).Select(i => logs.NextLine($"pod-{(i / podRun) % 3}")));
        }

        return logs;
    }

    public string PathOf(string suffix) => Options.File + suffix;

    /// <summary>
    /// The next line in the layout every line had before message-first lines (<paramref name="messageFirst"/> false)
    /// or as the <see cref="LineFormatter"/> writes it now.
    /// </summary>
    public StoredTestLine NextLine(string pod, bool messageFirst = false)
    {
        int n = _next++;
        var time = Start.AddSeconds(n);
        string severity = Severities[n % Severities.Length];
        string text = string.Create(CultureInfo.InvariantCulture, $"line {n:000000}{(n % 97 == 0 ? " needle" : string.Empty)}");
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{time:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'} node-1 app[7]: local0.{severity} - " +
            $"[k8s@32473 namespace=\"ns\" pod=\"{pod}\" container=\"main\"] {text}");
        if (messageFirst)
        {
            int priority = (16 * 8) + LogLabels.SeverityCode(severity.AsSpan());
            byte[] frame = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"<{priority}>1 {time:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'} node-1 app 7 - " +
                $"[k8s@32473 namespace=\"ns\" pod=\"{pod}\" container=\"main\"] {text}"));
            Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(frame, time, out var header, out _));
            var context = new FrameContext("192.0.2.1"u8.ToArray(), time);
            var buffer = new byte[LineFormatter.MaxLineLength(frame.Length, context.Peer.Length)];
            int written = new LineFormatter(LineFormat.File).Write(buffer, frame, header, default, context);
            line = Encoding.UTF8.GetString(buffer, 0, written - 1);
        }

        return new StoredTestLine(n, time.ToUnixTimeMilliseconds() * 1_000_000, pod, severity, line, text);
    }

    /// <summary>Writes (or appends to) the file with this suffix (<c>.gz</c>: compressed, written whole).</summary>
    public void Write(string suffix, IEnumerable<StoredTestLine> lines)
    {
        var list = lines.ToList();
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(list.Select(l => l.Line + "\n")));
        if (suffix.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var file = File.Create(PathOf(suffix));
            using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            gzip.Write(text);
        }
        else
        {
            using var file = new FileStream(PathOf(suffix), FileMode.Append);
            file.Write(text);
        }

        Lines.AddRange(list);
    }

    public void Dispose()
    {
        Gate.Dispose();
        _dir.Dispose();
    }
}
