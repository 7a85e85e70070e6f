using System.IO.Compression;

namespace Collector.Storage;

/// <summary>
/// The numbered files next to the messages file: <c>messages.1</c> (plain, as logrotate's delaycompress leaves it,
/// so the most recent history stays greppable) and <c>messages.2.gz</c> … <c>messages.N.gz</c>. Rotation renames,
/// so a line is never split or copied, and readers that hold a file open keep reading it. Compression runs in the
/// background; the next rotation waits for it, which bounds disk use when the disk cannot keep up.
/// </summary>
public sealed class RotatedFiles(string path, int maxFiles, bool compress, long maxTotalSize, StorageCounters counters, ILogger logger)
{
    private readonly MessagesFiles _files = new(path, maxFiles);
    private Task _compression = Task.CompletedTask;

    /// <summary>The name file <paramref name="index"/> has when compressed, or would have.</summary>
    public string NameOf(int index, bool compressed) => _files.NameOf(index, compressed);

    /// <summary>Moves the (closed) messages file to <c>.1</c>, shifting and pruning the others.</summary>
    public void Rotate()
    {
        WaitForCompression();
        if (maxFiles == 0)
        {
            Delete(path);
            return;
        }

        Delete(NameOf(maxFiles, false));
        Delete(NameOf(maxFiles, true));
        for (int i = maxFiles - 1; i >= 1; i--)
        {
            Move(NameOf(i, false), NameOf(i + 1, false));
            Move(NameOf(i, true), NameOf(i + 1, true));
        }

        Move(path, NameOf(1, false));
        StartBackgroundWork();
    }

    /// <summary>
    /// Finishes what a previous run left: plain files that should be compressed, a total over the cap.
    /// </summary>
    public void StartBackgroundWork()
    {
        _compression = Task.Run(() =>
        {
            if (compress)
            {
                for (int i = 2; i <= maxFiles; i++)
                {
                    CompressIfPlain(i);
                }
            }

            EnforceTotalSize();
        });
    }

    public void WaitForCompression()
    {
        try
        {
            _compression.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.HousekeepingFailed(logger, path, ex);
        }
    }

    private void CompressIfPlain(int index)
    {
        string plain = NameOf(index, false);
        string compressed = NameOf(index, true);
        if (!File.Exists(plain) || File.Exists(compressed))
        {
            return;
        }

        string temporary = compressed + ".tmp";
        try
        {
            using (var input = new FileStream(plain, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16))
            using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            {
                input.CopyTo(gzip, 1 << 20);
            }

            File.Move(temporary, compressed);
            File.Delete(plain);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The plain file stays and is kept in the rotation under its plain name; nothing is lost.
            StorageLog.HousekeepingFailed(logger, plain, ex);
            TryDelete(temporary);
        }
    }

    private void EnforceTotalSize()
    {
        if (maxTotalSize <= 0)
        {
            return;
        }

        var files = new List<FileInfo>();
        for (int i = 1; i <= maxFiles; i++)
        {
            foreach (bool gz in (ReadOnlySpan<bool>)[false, true])
            {
                var info = new FileInfo(NameOf(i, gz));
                if (info.Exists)
                {
                    files.Add(info);
                }
            }
        }

        long total = files.Sum(f => f.Length);
        for (int i = files.Count - 1; i >= 0 && total > maxTotalSize; i--)
        {
            total -= files[i].Length;
            Delete(files[i].FullName);
        }
    }

    private void Delete(string file)
    {
        if (File.Exists(file))
        {
            File.Delete(file);
            counters.Deleted();
        }
    }

    private static void Move(string from, string to)
    {
        if (File.Exists(from))
        {
            File.Move(from, to, overwrite: true);
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
    }
}
