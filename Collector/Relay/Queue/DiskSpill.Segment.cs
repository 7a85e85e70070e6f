using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using Microsoft.Win32.SafeHandles;

namespace Collector.Relay.Queue;

internal sealed partial class DiskSpill
{
    // Record: [magic u32][payloadLength u32][messages u32][crc32c u32][payload], little-endian. The checksum covers
    // the two counts and the payload but not the magic, so a taken record can be marked by rewriting its magic alone.
    internal const uint RecordMagic = 0x5251_4C52;
    internal const uint TakenMagic = 0x5451_4C52;
    internal const int HeaderLength = 16;
    internal const string Extension = ".seg";

    // Larger than any chunk the queue makes; a bigger length is damage, not data.
    private const int MaxPayloadLength = 1 << 30;

    internal static string SegmentName(long seq) => seq.ToString(CultureInfo.InvariantCulture) + Extension;

    internal static bool TryParseSeq(string path, out long seq) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seq);

    internal static uint Checksum(int length, int messages, ReadOnlySpan<byte> payload)
    {
        uint crc = BitOperations.Crc32C(uint.MaxValue, (uint)length);
        crc = BitOperations.Crc32C(crc, (uint)messages);
        while (payload.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(payload));
            payload = payload[sizeof(ulong)..];
        }

        foreach (byte b in payload)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    internal static void WriteHeader(Span<byte> header, RelayChunk chunk)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, RecordMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], chunk.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], chunk.Messages);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Checksum(chunk.Length, chunk.Messages, chunk.Span));
    }

    /// <summary>Checks a header against the bytes that follow it; returns what is wrong, or null.</summary>
    internal static string? ParseHeader(
        ReadOnlySpan<byte> header, long available, out uint magic, out int length, out int messages, out uint checksum)
    {
        magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        uint rawLength = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        uint rawMessages = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        checksum = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        length = (int)Math.Min(rawLength, int.MaxValue);
        messages = (int)Math.Min(rawMessages, int.MaxValue);
        if (magic != RecordMagic && magic != TakenMagic)
        {
            return "bad magic";
        }

        if (rawLength > MaxPayloadLength || rawLength > available)
        {
            return "record runs past the end";
        }

        // Every message takes at least its length prefix.
        if (rawMessages == 0 || rawMessages > rawLength / RelayChunk.PrefixLength)
        {
            return "bad message count";
        }

        return null;
    }

    /// <summary>
    /// One segment file. Its counts are guarded by the spill's lock; <see cref="WriteHandle"/> belongs to the writer
    /// and <see cref="ReadHandle"/> to the consumer.
    /// </summary>
    private sealed class Segment(long seq, string path)
    {
        public long Seq => seq;

        public string Path => path;

        /// <summary>Bytes of whole records: the readable extent, growing as the writer commits records.</summary>
        public long Length { get; set; }

        /// <summary>
        /// Bytes the file takes, counted against the disk bound (more than Length when a damaged tail was found).
        /// </summary>
        public long DiskBytes { get; set; }

        public long ReadOffset { get; set; }

        public int UnreadRecords { get; set; }

        public long UnreadMessages { get; set; }

        public long UnreadBytes { get; set; }

        /// <summary>No more records will be appended.</summary>
        public bool Closed { get; set; }

        /// <summary>
        /// Dropped or deleted: a record read from it meanwhile is void (its messages were counted already).
        /// </summary>
        public bool Removed { get; set; }

        public SafeFileHandle? WriteHandle { get; set; }

        public SafeFileHandle? ReadHandle { get; set; }
    }
}
