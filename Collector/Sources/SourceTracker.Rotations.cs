using System.IO.Compression;

namespace Collector.Sources;

public sealed partial class SourceTracker
{
    /// <summary>
    /// The rotated files newer than the one just finished (<c>messages.1</c>, <c>messages.2.gz</c>, … down to the one
    /// whose first line is that file's), read whole, oldest first. When the finished file is not found among them
    /// (pruned already), nothing is read: counting a file twice would be worse than missing one.
    /// </summary>
    private void ReadMissedRotations()
    {
        if (_head is null)
        {
            return;
        }

        var missed = new List<(string Path, bool Compressed)>();
        for (int i = 1; i <= Math.Max(1, _options.MaxFiles); i++)
        {
            (string Path, bool Compressed) file = (_files.NameOf(i, compressed: false), false);
            if (!File.Exists(file.Path))
            {
                file = (_files.NameOf(i, compressed: true), true);
                if (!File.Exists(file.Path))
                {
                    return;
                }
            }

            if (HeadOfRotated(file) == _head)
            {
                break;
            }

            missed.Insert(0, file);
            if (i == Math.Max(1, _options.MaxFiles))
            {
                return;
            }
        }

        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var file in missed)
        {
            using var stream = Open(file);
            int kept = 0;
            int n;
            while ((n = stream.Read(_buffer, kept, _buffer.Length - kept)) > 0 || kept > 0)
            {
                int length = kept + n;
                int complete = _buffer.AsSpan(0, length).LastIndexOf((byte)'\n') + 1;
                if (n == 0 || (complete == 0 && length == _buffer.Length))
                {
                    // The end, or a line longer than the buffer: apply what is there as it is.
                    complete = length;
                }

                _ledger.ApplyLines(_buffer.AsSpan(0, complete), now);
                _buffer.AsSpan(complete, length - complete).CopyTo(_buffer);
                kept = length - complete;
                if (n == 0)
                {
                    break;
                }
            }
        }

        _dirty = true;
    }

    private static Stream Open((string Path, bool Compressed) name)
    {
        Stream file = new FileStream(name.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        return name.Compressed ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static string? HeadOfRotated((string Path, bool Compressed) name)
    {
        try
        {
            using var stream = Open(name);
            Span<byte> start = stackalloc byte[256];
            int n = 0;
            int read;
            while (n < start.Length && (read = stream.Read(start[n..])) > 0)
            {
                n += read;
            }

            return Head(start[..n]);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // Being compressed or pruned right now: not the file we look for.
            return null;
        }
    }
}
