using System.Buffers;
using Shared.Syslog;

namespace Collector.Storage.Index;

/// <summary>
/// Appends blocks to a <see cref="FileIndex"/> from the file's text, read in order from where the index ends. A block
/// closes at the first line end past <see cref="FileIndex.BlockSize"/>; a trailing line without its LF is left for
/// later.
/// </summary>
public sealed class IndexBuilder
{
    /// <summary>
    /// Distinct pod label values one block records (its ids and counts: about 4 bytes each); a block past it reads as
    /// holding every value (its <see cref="PodLabelOverflow"/> bit), so it is never wrongly skipped.
    /// </summary>
    public const int MaxPodLabelValuesPerBlock = 256;

    /// <summary>The <see cref="IndexBlock.Overflow"/> bit of the pod labels.</summary>
    public const byte PodLabelOverflow = 1 << (int)LogLabel.PodLabel;

    private const int ReadSize = 1 << 20;

    private readonly FileIndex _index;
    private readonly List<ushort> _ids = [];
    private int[] _seenIn = new int[1024];
    private int[] _counts = new int[1024 * SeverityCounts.Severities];
    private int _block = 1;
    private long _blockStart;
    private int _blockLength;
    private int _lines;
    private long _min;
    private long _max;
    private byte _overflow;
    private int _podValuesInBlock;

    public IndexBuilder(FileIndex index, long start)
    {
        _index = index;
        _blockStart = start;
    }

    /// <summary>
    /// Indexes <paramref name="stream"/> (positioned at the builder's start) up to its end or <paramref name="limit"/>
    /// bytes.
    /// </summary>
    public static long Build(FileIndex index, Stream stream, long start, long limit)
    {
        var builder = new IndexBuilder(index, start);
        byte[] buffer = new byte[ReadSize];
        int filled = 0;
        long consumed = start;
        long remaining = limit - start;
        while (remaining > 0)
        {
            if (filled == buffer.Length)
            {
                // A line longer than the buffer: grow until it fits (lines are at most a few times MaxMessageSize).
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            int n = stream.Read(buffer, filled, (int)Math.Min(buffer.Length - filled, remaining));
            if (n <= 0)
            {
                break;
            }

            filled += n;
            remaining -= n;
            int end = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
            if (end == 0)
            {
                continue;
            }

            builder.AddLines(buffer.AsSpan(0, end));
            consumed += end;
            buffer.AsSpan(end, filled - end).CopyTo(buffer);
            filled -= end;
        }

        builder.Finish();
        return consumed;
    }

    /// <summary>Whole lines, each with its LF.</summary>
    public void AddLines(ReadOnlySpan<byte> lines)
    {
        while (!lines.IsEmpty)
        {
            int lf = lines.IndexOf((byte)'\n');
            AddLine(lines[..lf]);
            lines = lines[(lf + 1)..];
        }
    }

    public void Finish()
    {
        if (_lines > 0)
        {
            CloseBlock();
        }

        _index.Publish();
    }

    private void AddLine(ReadOnlySpan<byte> line)
    {
        var parsed = StoredLine.Parse(line);
        if (_lines == 0)
        {
            _min = _max = parsed.TimeNs;
        }
        else
        {
            _min = Math.Min(_min, parsed.TimeNs);
            _max = Math.Max(_max, parsed.TimeNs);
        }

        // As VolumeCounter buckets a line it reads: by the raw severity field.
        int severity = LogLabels.SeverityCode(parsed.Raw(LogLabel.Severity));
        if (severity < 0)
        {
            severity = SeverityCounts.Severities - 1;
        }

        Span<byte> scratch = stackalloc byte[512];
        Span<int> lineIds = stackalloc int[LogLabels.Count];
        for (int l = 0; l < LogLabels.Count; l++)
        {
            var label = (LogLabel)l;
            var value = parsed.Label(label, scratch, out byte[]? rented);
            int id = _index.Labels.GetOrAdd(label, value);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            lineIds[l] = id;
            if (id < 0)
            {
                _overflow |= (byte)(1 << l);
                continue;
            }

            Count(id, severity);
        }

        AddPodLabels(parsed, severity);
        _index.Labels.Observe(lineIds);
        _lines++;
        _blockLength += line.Length + 1;
        if (_blockLength >= FileIndex.BlockSize)
        {
            CloseBlock();
        }
    }

    /// <summary>
    /// The line's pod labels, the first of each name: values past the file's or the block's bounds are not recorded,
    /// and the block's <see cref="PodLabelOverflow"/> bit says so (a search then reads the block).
    /// </summary>
    private void AddPodLabels(in StoredLine parsed, int severity)
    {
        var reader = new PodLabelReader(parsed.StructuredData);
        Span<byte> name = stackalloc byte[PodLabelName.MaxLength];
        Span<byte> scratch = stackalloc byte[512];
        ulong seen = 0;
        while (reader.Read(name, out int length, out var escaped))
        {
            int index = _index.Labels.PodLabelNameIndex(name[..length], add: true);
            if (index < 0)
            {
                _overflow |= PodLabelOverflow;
                continue;
            }

            ulong bit = 1UL << index;
            if ((seen & bit) != 0)
            {
                continue;
            }

            seen |= bit;
            if (escaped.IsEmpty)
            {
                continue;
            }

            int id;
            if (escaped.IndexOf((byte)'\\') < 0)
            {
                id = _index.Labels.GetOrAddPodLabel(index, escaped);
            }
            else
            {
                byte[]? rented = null;
                var buffer = escaped.Length <= scratch.Length ? scratch : (rented = ArrayPool<byte>.Shared.Rent(escaped.Length));
                id = _index.Labels.GetOrAddPodLabel(index, buffer[..StructuredDataValue.Unescape(escaped, buffer)]);
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }

            if (id < 0 || (_podValuesInBlock >= MaxPodLabelValuesPerBlock && (id >= _seenIn.Length || _seenIn[id] != _block)))
            {
                _overflow |= PodLabelOverflow;
                continue;
            }

            if (id >= _seenIn.Length || _seenIn[id] != _block)
            {
                _podValuesInBlock++;
            }

            Count(id, severity);
        }
    }

    /// <summary>One more line of this severity with value <paramref name="id"/> in the block.</summary>
    private void Count(int id, int severity)
    {
        if (id >= _seenIn.Length)
        {
            Array.Resize(ref _seenIn, Math.Max(id + 1, _seenIn.Length * 2));
            Array.Resize(ref _counts, _seenIn.Length * SeverityCounts.Severities);
        }

        var counts = _counts.AsSpan(id * SeverityCounts.Severities, SeverityCounts.Severities);
        if (_seenIn[id] != _block)
        {
            _seenIn[id] = _block;
            _ids.Add((ushort)id);
            counts.Clear();
        }

        counts[severity]++;
    }

    private void CloseBlock()
    {
        _ids.Sort();
        _index.Add(new IndexBlock(_blockStart, _blockLength, _lines, _min, _max, [.. _ids], _overflow, SeverityCounts.Encode(_ids, _counts)));
        _blockStart += _blockLength;
        _blockLength = 0;
        _lines = 0;
        _overflow = 0;
        _podValuesInBlock = 0;
        _ids.Clear();
        _block++;
    }
}
