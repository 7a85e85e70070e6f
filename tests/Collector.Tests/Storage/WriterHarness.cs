using System.Globalization;
using System.IO.Compression;
using System.Text;
using Collector.Configuration;
using Collector.Storage;
using TestSupport;

namespace Collector.Tests.Storage;

/// <summary>
/// A <see cref="MessagesFileWriter"/> on its own, writing <c>messages</c> in a temp directory, with the queue, counters
/// and a logger that keeps what it is told, the way the app composes them.
/// </summary>
internal sealed class WriterHarness : IDisposable
{
    private bool _stopped;

    public WriterHarness(TempDirectory directory, CollectorOptions? options = null)
    {
        Directory = directory;
        Options = (options ?? new CollectorOptions()) with { File = directory.Combine("messages") };
        Queue = new StorageChannel(Options.QueueSize);
        Writer = new MessagesFileWriter(Queue, Options, Counters, TimeProvider.System, new TypedLogger<MessagesFileWriter>(Logger));
    }

    public TempDirectory Directory { get; }

    public CollectorOptions Options { get; }

    public string Path => Options.File;

    public StorageChannel Queue { get; }

    public StorageCounters Counters { get; } = new();

    public CollectingLogger Logger { get; } = new();

    public MessagesFileWriter Writer { get; }

    public Task StartAsync() => Writer.StartAsync(CancellationToken.None);

    /// <summary>
    /// Stops the writer as the host does after the listeners stopped: everything queued is written first.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopped = true;
        await Wait.ForAsync(Writer.StoppedAsync(cancellationToken), "the writer to stop");
    }

    /// <summary>Hands <paramref name="lines"/> to the writer as one chunk (each gets its LF).</summary>
    public ValueTask WriteAsync(params IEnumerable<string> lines) => Queue.WriteAsync(Chunk(lines));

    public static LineChunk Chunk(IEnumerable<string> lines)
    {
        var bytes = lines.Select(l => Encoding.UTF8.GetBytes(l + "\n")).ToList();
        var chunk = LineChunk.Rent(bytes.Sum(b => b.Length));
        foreach (var line in bytes)
        {
            line.CopyTo(chunk.Free);
            chunk.Commit(line.Length);
        }

        return chunk;
    }

    /// <summary>
    /// Lines numbered from <paramref name="first"/>, each <paramref name="length"/> bytes with its LF.
    /// </summary>
    public static string[] Numbered(int first, int count, int length) =>
        [.. Enumerable.Range(first, count).Select(i => i.ToString("D6", CultureInfo.InvariantCulture).PadRight(length - 1, '.'))];

    /// <summary>Names of the files in the directory (messages, messages.1, messages.2.gz …), sorted.</summary>
    public string[] FileNames() =>
        [.. System.IO.Directory.GetFileSystemEntries(Directory.Path).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    /// <summary>The text of a file in the directory, decompressed if its name ends in .gz.</summary>
    public string Read(string name)
    {
        using var stream = new FileStream(Directory.Combine(name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var decompressed = name.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
        using var reader = new StreamReader(decompressed, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The files that hold lines, oldest first: messages.N(.gz) … messages.1, messages.</summary>
    public IEnumerable<string> FilesOldestFirst()
    {
        for (int i = Options.MaxFiles; i >= 1; i--)
        {
            foreach (string name in (string[])[$"messages.{i}.gz", $"messages.{i}"])
            {
                if (File.Exists(Directory.Combine(name)))
                {
                    yield return name;
                }
            }
        }

        if (File.Exists(Path))
        {
            yield return "messages";
        }
    }

    /// <summary>Every line of every file, oldest first, without LFs.</summary>
    public List<string> AllLines() => [.. FilesOldestFirst().SelectMany(f => Lines(Read(f)))];

    public static string[] Lines(string text) => text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    public void Dispose()
    {
        if (!_stopped)
        {
            // A test that failed half-way must not hang here on a writer that cannot write: give up at once.
            Writer.StoppedAsync(new CancellationToken(canceled: true)).GetAwaiter().GetResult();
        }

        Writer.Dispose();
    }
}
