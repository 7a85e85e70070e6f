using Collector.Search;
using Collector.Storage;
using Collector.Storage.Index;
using Microsoft.Win32.SafeHandles;

namespace Collector.Commands;

/// <summary>
/// <c>Collector tail</c>: the last matching lines, then every matching line as the Collector appends it, until
/// interrupted. History comes from the search engine up to a seam (the end of the file's whole lines when the command
/// started); the file is then read from the seam every 200 ms and followed through rotation: once the file at the path
/// is another one (shorter than what was read, or starting with other bytes), the old one is read to its end, the
/// search engine gives what lies between (rotated files, compressed or not), and the new one is read on from there.
/// </summary>
public static class TailCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync(LocalSearch search, int lines, bool colour, TextWriter output, CancellationToken cancellationToken)
    {
        var handle = Open(search.File);
        try
        {
            long offset = WholeLinesEnd(handle, RandomAccess.GetLength(handle));
            if (lines > 0 && KeyOf(search, handle) is { } k)
            {
                var request = new SearchRequest(search.Query, long.MinValue, long.MaxValue, lines, Backward: true)
                {
                    Until = new SearchPosition(k, offset),
                    Budget = TimeSpan.FromMinutes(10),
                };
                var history = search.Engine.Search(request, cancellationToken).Entries;
                for (int i = history.Count - 1; i >= 0; i--)
                {
                    await output.WriteLineAsync(ConsoleLine.Render(System.Text.Encoding.UTF8.GetBytes(history[i].Line), colour));
                }

                await output.FlushAsync(cancellationToken);
            }

            var reader = new Follower(search, colour, output);
            while (!cancellationToken.IsCancellationRequested)
            {
                offset = await reader.ReadAsync(handle, offset);
                if (Replaced(search.File, handle, offset) is { } next)
                {
                    // Read the old file to its end; then what rotation moved away meanwhile (one file or several, some
                    // compressed) comes from the search engine, from there up to the new file's end.
                    offset = await reader.ReadAsync(handle, offset);
                    long nextEnd = WholeLinesEnd(next, RandomAccess.GetLength(next));
                    var nextKey = nextEnd == 0 ? null : KeyOf(search, next);
                    if (nextKey is null)
                    {
                        next.Dispose(); // Still empty: its first line is awaited with the old file still open.
                    }
                    else
                    {
                        // Named now, not when it was opened: a key can change while a file grows past its first
                        // 4 KiB (the Collector's saved index may name it by a longer prefix).
                        if (KeyOf(search, handle) is { } from)
                        {
                            var until = new SearchPosition(nextKey.Value, nextEnd);
                            await CatchUpAsync(search, new SearchPosition(from, offset), until, colour, output, cancellationToken);
                        }

                        handle.Dispose();
                        (handle, offset) = (next, nextEnd);
                        reader.Restart();
                        continue;
                    }
                }

                await Task.Delay(PollInterval, TimeProvider.System, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted (Ctrl-C, SIGTERM): the normal end of a tail.
        }
        finally
        {
            handle.Dispose();
        }

        return 0;
    }

    /// <summary>Every matching line from <paramref name="from"/> to before <paramref name="until"/>.</summary>
    private static async Task CatchUpAsync(
        LocalSearch search, SearchPosition from, SearchPosition until, bool colour, TextWriter output, CancellationToken cancellationToken)
    {
        SearchPosition? cursor = from;
        while (cursor is not null)
        {
            var request = new SearchRequest(search.Query, long.MinValue, long.MaxValue, 5000, Backward: false)
            {
                Cursor = cursor,
                Until = until,
                Budget = TimeSpan.FromMinutes(10),
            };
            var page = search.Engine.Search(request, cancellationToken);
            foreach (var entry in page.Entries)
            {
                await output.WriteLineAsync(ConsoleLine.Render(System.Text.Encoding.UTF8.GetBytes(entry.Line), colour));
            }

            cursor = page.Next;
        }
    }

    /// <summary>A file's key as the search engine names it now (every file indexed first).</summary>
    private static FileKey? KeyOf(LocalSearch search, SafeFileHandle handle)
    {
        search.Store.OpenAll().ForEach(f => f.Dispose());
        return search.Store.KeyOf(handle);
    }

    /// <summary>
    /// The end of the last whole line at or before <paramref name="length"/>: a length read while the Collector
    /// appends may cut a line.
    /// </summary>
    private static long WholeLinesEnd(SafeFileHandle handle, long length)
    {
        var chunk = new byte[64 * 1024];
        long end = length;
        while (end > 0)
        {
            int n = (int)Math.Min(chunk.Length, end);
            int read = RandomAccess.Read(handle, chunk.AsSpan(0, n), end - n);
            int lf = chunk.AsSpan(0, read).LastIndexOf((byte)'\n');
            if (lf >= 0)
            {
                return end - n + lf + 1;
            }

            end -= n;
        }

        return 0;
    }

    private static SafeFileHandle Open(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>The file now at the path when it is not the one being read, opened; else null.</summary>
    private static SafeFileHandle? Replaced(string path, SafeFileHandle current, long offset)
    {
        SafeFileHandle next;
        try
        {
            next = Open(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // Between rotation's rename and the new file: look again at the next poll.
        }

        long length = RandomAccess.GetLength(next);
        Span<byte> mine = stackalloc byte[64], theirs = stackalloc byte[64];
        int compared = (int)Math.Min(Math.Min(64, length), offset);
        bool same = length >= offset
            && RandomAccess.Read(current, mine[..compared], 0) == compared
            && RandomAccess.Read(next, theirs[..compared], 0) == compared
            && mine[..compared].SequenceEqual(theirs[..compared]);
        if (same)
        {
            next.Dispose();
            return null;
        }

        return next;
    }

    /// <summary>Reads whole lines from an offset and prints those that match.</summary>
    private sealed class Follower(LocalSearch search, bool colour, TextWriter output)
    {
        private byte[] _buffer = new byte[64 * 1024];
        private int _held;

        /// <summary>For the next file: nothing held.</summary>
        public void Restart() => _held = 0;

        /// <summary>Prints the whole lines from <paramref name="offset"/> on; returns the offset after them.</summary>
        public async Task<long> ReadAsync(SafeFileHandle handle, long offset)
        {
            bool printed = false;
            while (true)
            {
                if (_held == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                int read = RandomAccess.Read(handle, _buffer.AsSpan(_held), offset + _held);
                if (read <= 0)
                {
                    break;
                }

                _held += read;
                int consumed = Lines(_buffer.AsMemory(0, _held), ref printed);
                Array.Copy(_buffer, consumed, _buffer, 0, _held - consumed);
                _held -= consumed;
                offset += consumed;
            }

            if (printed)
            {
                await output.FlushAsync();
            }

            return offset;
        }

        private int Lines(ReadOnlyMemory<byte> data, ref bool printed)
        {
            var span = data.Span;
            int consumed = 0;
            int lf;
            while ((lf = span[consumed..].IndexOf((byte)'\n')) >= 0)
            {
                var line = span.Slice(consumed, lf);
                consumed += lf + 1;
                if (search.Query.Matches(line, StoredLine.Parse(line)))
                {
                    output.WriteLine(ConsoleLine.Render(line, colour));
                    printed = true;
                }
            }

            return consumed;
        }
    }
}
