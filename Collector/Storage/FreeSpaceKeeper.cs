using System.IO.Compression;
using Collector.Storage.Index;

namespace Collector.Storage;

/// <summary>
/// Keeps <c>--min-free</c> bytes of the messages file's volume free by deleting the oldest rotated files
/// (<c>messages.N.gz</c> … <c>messages.1</c>) and their search indexes, as journald's <c>SystemKeepFree</c> vacuums its
/// archived files. It never deletes the current file and never a file whose name <see cref="MessagesFiles"/> does not
/// give. The writer calls it once a second and after every failed write, on its own thread, so it never races a
/// rotation. Measuring the volume also feeds <c>/metrics</c>, whether or not the limit is enabled.
/// </summary>
public sealed class FreeSpaceKeeper(MessagesFiles files, MinFreeSpace minFree, StorageCounters counters, ILogger logger)
{
    private readonly string _directory = Path.GetDirectoryName(files.Current)!;
    private bool _exhausted;
    private bool _measureFailing;

    /// <summary>
    /// Measures the volume and deletes rotated files, oldest first, while less than the limit is free;
    /// true when it deleted one.
    /// </summary>
    public bool Keep()
    {
        if (!TryMeasure(out long size, out long available))
        {
            return false;
        }

        long target = minFree.For(size);
        counters.MinFreeBytes = target;
        if (available >= target)
        {
            _exhausted = false;
            return false;
        }

        bool deleted = false;
        foreach (var (file, compressed) in files.RotatedOldestFirst())
        {
            if (available >= target)
            {
                break;
            }

            long before = available;
            if (TryDelete(file, compressed, out long length) && TryMeasure(out _, out available))
            {
                deleted = true;
                counters.DeletedForMinFree(length);
                StorageLog.DeletedForMinFree(logger, file, length, target, before, available);
            }
        }

        if (available < target && !_exhausted)
        {
            // Said once until there is enough space again: nothing of ours is left to delete,
            // the rest is another program's.
            _exhausted = true;
            StorageLog.MinFreeExhausted(logger, _directory, available, target, files.Current);
        }

        return deleted;
    }

    private bool TryMeasure(out long size, out long available)
    {
        size = available = 0;
        if (!Directory.Exists(_directory))
        {
            // Not created yet (the writer creates it when it opens the file): nothing of ours to delete either.
            return false;
        }

        try
        {
            // statvfs(2) of the directory: any path on the volume will do, not only its mount point.
            var drive = new DriveInfo(_directory);
            size = drive.TotalSize;
            available = drive.AvailableFreeSpace;
            counters.VolumeSize = size;
            counters.VolumeAvailable = available;
            _measureFailing = false;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            if (!_measureFailing)
            {
                _measureFailing = true;
                StorageLog.VolumeUnmeasurable(logger, _directory, ex);
            }

            return false;
        }
    }

    private bool TryDelete(string file, bool compressed, out long length)
    {
        length = 0;
        try
        {
            var prefix = ReadPrefix(file, compressed);
            length = new FileInfo(file).Length;
            File.Delete(file);
            DeleteIndexOf(prefix);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            StorageLog.HousekeepingFailed(logger, file, ex);
            return false;
        }
    }

    /// <summary>
    /// Deletes the saved index of a deleted file: the one named by the hash of its first bytes (<see cref="FileKey"/>),
    /// unless a file that is kept starts with the same bytes and so has the same index. What is left over the index
    /// store prunes itself, later.
    /// </summary>
    private void DeleteIndexOf(byte[] prefix)
    {
        if (prefix.Length == 0 || !Directory.Exists(files.IndexDirectory))
        {
            return;
        }

        List<byte[]>? kept = null;
        foreach (string index in Directory.EnumerateFiles(files.IndexDirectory, "*.idx"))
        {
            if (!FileKey.TryParse(Path.GetFileNameWithoutExtension(index), out var key) || !Matches(prefix, key))
            {
                continue;
            }

            kept ??= [.. files.NewestFirst().Where(f => File.Exists(f.Path)).Select(f => ReadPrefix(f.Path, f.Compressed))];
            if (!kept.Any(p => Matches(p, key)))
            {
                File.Delete(index);
            }
        }
    }

    private static bool Matches(byte[] prefix, FileKey key) =>
        prefix.Length >= key.PrefixLength && FileKey.HashOf(prefix.AsSpan(0, key.PrefixLength)) == key.Hash;

    /// <summary>
    /// The first (uncompressed) bytes of a file, as the index store names it; empty when it cannot be read.
    /// </summary>
    private static byte[] ReadPrefix(string file, bool compressed)
    {
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var input = compressed ? new GZipStream(stream, CompressionMode.Decompress) : (Stream)stream;
            var buffer = new byte[FileKey.MaxPrefix];
            int n = input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return buffer[..n];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return [];
        }
    }
}
