using System.Buffers;
using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// Whole lines of a stored file, from offset <paramref name="at"/> of its uncompressed text; false ends the scan.
/// </summary>
internal delegate bool BlockText(long at, ReadOnlySpan<byte> text);

/// <summary>
/// Reads the text of the chosen blocks of one stored file, for searches and volume counts alike. Plain files are read
/// by offset in runs of neighbouring chosen blocks (one pread each, newest run first when asked); gzip files in one
/// forward pass (gzip cannot seek) through every block up to the last one chosen, handing out only the chosen ones.
/// </summary>
internal static class BlockScanner
{
    /// <summary>
    /// The most read at once from a plain file: small enough that the text is still in the core's L2 cache when it is
    /// scanned right after the copy from the page cache, large enough that a pread costs little next to its copy.
    /// </summary>
    public const int MaxRead = 256 * 1024;

    /// <summary>
    /// Hands the text of the blocks with <paramref name="chosen"/> set to <paramref name="visit"/>: runs of up to
    /// <see cref="MaxRead"/> bytes from a plain file (newest first when <paramref name="newestFirst"/>), one block at a
    /// time, oldest first, from a gzip file.
    /// </summary>
    /// <returns>Bytes decompressed only to get past blocks that were not chosen.</returns>
    public static long Scan(StoredFile file, bool[] chosen, bool newestFirst, BlockText visit, CancellationToken cancellationToken)
    {
        int last = Array.LastIndexOf(chosen, true);
        if (last < 0)
        {
            return 0;
        }

        if (file.Compressed)
        {
            return ScanCompressed(file, chosen, last, visit, cancellationToken);
        }

        ScanPlain(file, chosen, newestFirst, visit, cancellationToken);
        return 0;
    }

    private static void ScanPlain(StoredFile file, bool[] chosen, bool newestFirst, BlockText visit, CancellationToken cancellationToken)
    {
        var blocks = file.Blocks;
        int At(int k) => newestFirst ? blocks.Length - 1 - k : k;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxRead);
        try
        {
            int k = 0;
            while (k < blocks.Length)
            {
                if (!chosen[At(k)])
                {
                    k++;
                    continue;
                }

                int first = k;
                long bytes = 0;
                while (k < blocks.Length && chosen[At(k)] && (bytes == 0 || bytes + blocks[At(k)].Length <= MaxRead))
                {
                    bytes += blocks[At(k)].Length;
                    k++;
                }

                long offset = Math.Min(blocks[At(first)].Offset, blocks[At(k - 1)].Offset);
                if (buffer.Length < bytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent((int)bytes);
                }

                cancellationToken.ThrowIfCancellationRequested();
                var run = buffer.AsSpan(0, (int)bytes);
                if (RandomAccess.Read(file.Handle, run, offset) < bytes)
                {
                    throw new IOException($"{file.Path} is shorter than its index");
                }

                if (!visit(offset, run))
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long ScanCompressed(StoredFile file, bool[] chosen, int last, BlockText visit, CancellationToken cancellationToken)
    {
        var blocks = file.Blocks;
        long skipped = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(FileIndex.BlockSize * 2);
        try
        {
            using var text = file.OpenText();
            for (int b = 0; b <= last; b++)
            {
                var block = blocks[b];
                if (buffer.Length < block.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(block.Length);
                }

                var data = buffer.AsSpan(0, block.Length);
                text.ReadExactly(data);
                if (!chosen[b])
                {
                    skipped += block.Length;
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!visit(block.Offset, data))
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return skipped;
    }
}
