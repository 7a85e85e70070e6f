using System.Globalization;
using System.IO.Compression;

namespace RelpLoad;

/// <summary>
/// What the Collector (or rsyslog, the peer) stored, per session: the check that the messages files hold exactly what
/// was acknowledged. For each session the stored sequence numbers must be 0, 1, 2 … in order without a repeat, and
/// cover at least every acknowledged one (a message written but not yet answered when a session broke may be there
/// too).
/// </summary>
internal sealed class StoredSequences
{
    private const string Marker = "relpload session=";

    private readonly int[] _next;

    public StoredSequences(int sessions) => _next = new int[sessions];

    public long Lines { get; private set; }

    public long Duplicates { get; private set; }

    /// <summary>Sequence numbers jumped over (a later one stored, these not): lost, whether answered or not.</summary>
    public long Skipped { get; private set; }

    public long Foreign { get; private set; }

    /// <summary>
    /// One past the highest sequence number stored for session <paramref name="id"/> (all below it, unless
    /// <see cref="Skipped"/>).
    /// </summary>
    public int StoredOf(int id) => _next[id];

    /// <summary>Reads the messages file in <paramref name="directory"/> and any rotated ones, oldest first.</summary>
    public static StoredSequences Read(string directory, int sessions)
    {
        var rotated = Directory.GetFiles(directory, "messages.*")
            .Select(f => (File: f, Number: RotationNumber(f)))
            .Where(f => f.Number > 0)
            .OrderByDescending(f => f.Number)
            .Select(f => f.File);
        return ReadFiles(rotated.Append(Path.Combine(directory, "messages")), sessions);
    }

    /// <summary>
    /// Reads <paramref name="files"/> in the order given (those that exist; <c>.gz</c> ones decompressed).
    /// </summary>
    public static StoredSequences ReadFiles(IEnumerable<string> files, int sessions)
    {
        var stored = new StoredSequences(sessions);
        foreach (string file in files.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20);
            using var text = file.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
            using var reader = new StreamReader(text);
            while (reader.ReadLine() is { } line)
            {
                stored.Add(line);
            }
        }

        return stored;
    }

    /// <summary>The N of a rotated <c>messages.N</c> (or <c>messages.N.gz</c>), or -1 when the name has none.</summary>
    private static int RotationNumber(string file) =>
        Path.GetFileName(file).Split('.') is [_, var number, ..]
        && int.TryParse(number, CultureInfo.InvariantCulture, out int n) ? n : -1;

    private void Add(string line)
    {
        Lines++;
        int at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0
            || !int.TryParse(line.AsSpan(at + Marker.Length, 5), NumberStyles.None, CultureInfo.InvariantCulture, out int session)
            || (uint)session >= (uint)_next.Length
            || !int.TryParse(line.AsSpan(at + Marker.Length + 10, 9), NumberStyles.None, CultureInfo.InvariantCulture, out int seq))
        {
            Foreign++;
            return;
        }

        if (seq < _next[session])
        {
            Duplicates++;
        }
        else if (seq > _next[session])
        {
            Skipped += seq - _next[session];
            _next[session] = seq + 1;
        }
        else
        {
            _next[session]++;
        }
    }
}
