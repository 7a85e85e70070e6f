using System.Buffers.Text;
using System.Text;

namespace Forwarder.Enrichment;

/// <summary>
/// Where messages of one file come from, written into each as <c>[o@32473 s="ID" p="FROM-TO"]</c> (docs/sources.md).
/// ID: 16 hex digits of FNV-1a over the node name, the file's device and inode, and its first line (at most 256 bytes),
/// so a copytruncated file, or a new file that reuses an inode, starts a new source while a renamed file (rotation)
/// stays the same one. FROM-TO: the file bytes this message accounts for, from the end of the previous message read
/// from this file (or where reading started) to the end of this entry's last line; the Collector drops a message
/// whose TO it has already stored and sees a gap when FROM is past what it stored.
/// The first message of each reading session also carries <c>f="PATH"</c>, so the Collector can name the file, and
/// when the file before it was deleted before it was read to its end, <c>lost="ID@FROM"</c>: that source's bytes from
/// FROM on never came, so the Collector records a gap there whose end nobody knows.
/// </summary>
public sealed class SourceOrigin
{
    /// <summary>The id hashes the first line up to this many bytes.</summary>
    public const int MaxHeadLength = 256;

    // Two 19-digit numbers, '-', '"]'.
    private const int PositionRoom = 19 + 1 + 19 + 2;

    // ' lost="', 16 hex digits, '@', a 19-digit number, '"'.
    private const int LostRoom = 7 + 16 + 1 + 19 + 1;

    private readonly byte[] _prefix;
    private readonly byte[] _pathParameter;

    public SourceOrigin(string node, ulong device, ulong inode, ReadOnlySpan<byte> head, string path)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(path);
        int newline = head.IndexOf((byte)'\n');
        head = head[..(newline >= 0 ? newline + 1 : Math.Min(head.Length, MaxHeadLength))];
        ulong hash = Fnv.Offset;
        hash = Fnv.Add(hash, Encoding.UTF8.GetBytes(node));
        Span<byte> numbers = stackalloc byte[17];
        numbers[0] = 0;
        BitConverter.TryWriteBytes(numbers[1..], device);
        BitConverter.TryWriteBytes(numbers[9..], inode);
        hash = Fnv.Add(hash, numbers);
        hash = Fnv.Add(hash, head);
        Id = hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        _prefix = Encoding.ASCII.GetBytes($"[o@32473 s=\"{Id}\" p=\"");
        var parameter = new List<byte>();
        HeaderField.AppendParameter(parameter, "f", path);
        _pathParameter = [.. parameter];
    }

    /// <summary>The source id as written in <c>s</c>.</summary>
    public string Id { get; }

    /// <summary>Bytes <see cref="Write"/> may need.</summary>
    public int MaxLength => _prefix.Length + PositionRoom + _pathParameter.Length + LostRoom;

    /// <summary>
    /// Writes the element for the bytes <paramref name="from"/> to <paramref name="to"/> (end exclusive), with the
    /// path when <paramref name="withPath"/>, and <paramref name="lost"/> (another source's unread end) when given.
    /// </summary>
    public int Write(long from, long to, bool withPath, SourceLoss? lost, Span<byte> destination)
    {
        _prefix.CopyTo(destination);
        int pos = _prefix.Length;
        Utf8Formatter.TryFormat(from, destination[pos..], out int digits);
        pos += digits;
        destination[pos++] = (byte)'-';
        Utf8Formatter.TryFormat(to, destination[pos..], out digits);
        pos += digits;
        destination[pos++] = (byte)'"';
        if (withPath)
        {
            _pathParameter.CopyTo(destination[pos..]);
            pos += _pathParameter.Length;
        }

        if (lost is { } loss)
        {
            pos += Encoding.ASCII.GetBytes(" lost=\"", destination[pos..]);
            pos += Encoding.ASCII.GetBytes(loss.Source, destination[pos..]);
            destination[pos++] = (byte)'@';
            Utf8Formatter.TryFormat(loss.From, destination[pos..], out digits);
            pos += digits;
            destination[pos++] = (byte)'"';
        }

        destination[pos++] = (byte)']';
        return pos;
    }

    /// <summary>FNV-1a, 64 bits: stable across processes and platforms.</summary>
    private static class Fnv
    {
        public const ulong Offset = 14695981039346656037UL;

        public static ulong Add(ulong hash, ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes)
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            return hash;
        }
    }
}

/// <summary>
/// One message's origin: its source and the file bytes it accounts for, and another source's loss it reports.
/// </summary>
public readonly record struct EntryOrigin(SourceOrigin Source, long From, long To, bool WithPath, SourceLoss? Lost = null);

/// <summary>
/// Source <see cref="Source"/> (16 hex digits) lost its bytes from <see cref="From"/> on: its file was deleted unread.
/// </summary>
public readonly record struct SourceLoss(string Source, long From);
