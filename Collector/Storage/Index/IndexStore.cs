using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Compression;
using Collector.Configuration;
using Microsoft.Win32.SafeHandles;

namespace Collector.Storage.Index;

/// <summary>
/// Finds the messages files (<see cref="MessagesFiles"/>, newest first), opens them and brings their indexes up to
/// date: lazily, when a search needs them, so indexing costs the writer nothing. Indexes are kept in memory and saved
/// in a hidden directory next to the files (<c>.messages.index/</c>), named by <see cref="FileKey"/>. The text files
/// stay the source of truth: an index that is missing, damaged, or no longer matches its file is rebuilt from it.
/// </summary>
public sealed class IndexStore
{
    private const int TailBytes = 256;
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private readonly MessagesFiles _files;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<FileKey, FileIndex> _indexes = new();
    private readonly Lock _pruneLock = new();
    private long _lastPrune;

    public IndexStore(CollectorOptions options, TimeProvider time, ILogger<IndexStore> logger)
    {
        _files = MessagesFiles.For(options);
        _time = time;
        _logger = logger;
        Directory = _files.IndexDirectory;
        _lastPrune = time.GetTimestamp();
    }

    /// <summary>Where the index files are kept.</summary>
    public string Directory { get; }

    /// <summary>
    /// Reads saved indexes but never writes or deletes one: the <c>query</c> and <c>tail</c> commands, which run
    /// beside the Collector that owns the index directory (and may lack the right to write there).
    /// </summary>
    public bool ReadOnly { get; init; }

    public MessagesFiles Files => _files;

    /// <summary>The files, newest first (current file, .1, .2.gz …), opened, each with an up-to-date index.</summary>
    public List<StoredFile> OpenAll()
    {
        var files = new List<StoredFile>();
        var seen = new HashSet<FileKey>();
        try
        {
            foreach (var (path, compressed) in _files.NewestFirst())
            {
                var file = TryOpen(path, compressed, seen);
                if (file is not null)
                {
                    seen.Add(file.Key);
                    files.Add(file);
                }
            }
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }

        Prune(seen);
        return files;
    }

    /// <summary>
    /// The key of the file at <paramref name="path"/> now (null when missing or empty): for the tail seam.
    /// </summary>
    public FileKey? KeyOf(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var prefix = ReadPrefix(handle, compressed: false);
            return prefix.Length == 0 ? null : Identify(prefix);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The key of the plain file open as <paramref name="handle"/> (null when empty), as <see cref="OpenAll"/> named
    /// it: call that first, so a file's key is the one fixed when it was indexed.
    /// </summary>
    public FileKey? KeyOf(SafeFileHandle handle)
    {
        var prefix = ReadPrefix(handle, compressed: false);
        return prefix.Length == 0 ? null : Identify(prefix);
    }

    private StoredFile? TryOpen(string path, bool compressed, HashSet<FileKey> taken)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            IndexLog.Unreadable(_logger, path, ex);
            return null;
        }

        try
        {
            var prefix = ReadPrefix(handle, compressed);
            if (prefix.Length == 0)
            {
                handle.Dispose();
                return null;
            }

            var key = Identify(prefix);
            if (taken.Contains(key))
            {
                // A newer file starts with the same bytes (a flood of identical lines at both starts), or rotation
                // showed us this file twice. Either way this one gets a key of its own, from its (fixed) length:
                // better a line twice in a rare race than a whole file left out.
                long size = compressed ? Isize(handle) : RandomAccess.GetLength(handle);
                key = new FileKey(key.PrefixLength, key.Hash ^ FileKey.HashOf(BitConverter.GetBytes(size)));
            }

            var index = _indexes.GetOrAdd(key, k => Load(k, path));
            lock (index.Sync)
            {
                Refresh(index, handle, path, compressed);
            }

            return new StoredFile(path, compressed, handle, key, index);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // A truncated or damaged .gz, a file vanishing mid-read: leave it out of this search, say so.
            IndexLog.Unreadable(_logger, path, ex);
            handle.Dispose();
            return null;
        }
    }

    /// <summary>Checks the index still describes the file and appends what was written since.</summary>
    private void Refresh(FileIndex index, SafeFileHandle handle, string path, bool compressed)
    {
        if (compressed)
        {
            if (index.Complete && !IsizeMatches(handle, index.End))
            {
                IndexLog.Mismatch(_logger, path);
                index.Clear();
            }

            // The index of messages.1 covered the whole file: once gzip'd with the same length,
            // it is complete as it is.
            if (!index.Complete && index.End > 0 && IsizeMatches(handle, index.End))
            {
                index.Complete = true;
                index.Dirty = true;
            }

            if (!index.Complete)
            {
                long start = index.ReopenLastBlock();
                using var text = new GZipStream(StoredFile.StreamAt(handle, 0, 1 << 16), CompressionMode.Decompress);
                Skip(text, start);
                IndexBuilder.Build(index, text, start, long.MaxValue);
                index.Complete = true;
                index.TailHash = 0;
                IndexLog.Indexed(_logger, path, index.End, index.Blocks.Count);
            }
        }
        else
        {
            long length = RandomAccess.GetLength(handle);
            if (length < index.End || (index.End > 0 && TailHash(handle, index.End) != index.TailHash))
            {
                IndexLog.Mismatch(_logger, path);
                index.Clear();
            }

            if (length > index.End)
            {
                long start = index.ReopenLastBlock();
                using var text = StoredFile.StreamAt(handle, start, 1);
                IndexBuilder.Build(index, text, start, length);
                index.TailHash = TailHash(handle, index.End);
                IndexLog.Indexed(_logger, path, index.End, index.Blocks.Count);
            }
        }

        bool current = path == _files.Current;
        long now = _time.GetTimestamp();
        if (!ReadOnly && index.Dirty && (!current || _time.GetElapsedTime(index.SavedAt, now) >= SaveInterval))
        {
            Save(index, now);
        }
    }

    /// <summary>
    /// The saved index of <paramref name="path"/> (named by its key: rotation renames the file, not its bytes).
    /// </summary>
    private FileIndex Load(FileKey key, string path)
    {
        string file = Path.Combine(Directory, key.Name + ".idx");
        try
        {
            byte[] data = File.ReadAllBytes(file);
            if (FileIndex.IsOlderVersion(data))
            {
                // After an upgrade: not damage, but what it lacks (new labels) is only in the text.
                IndexLog.OlderVersion(_logger, file, path);
                return new FileIndex(key);
            }

            var index = FileIndex.Deserialize(data, key);
            index.SavedAt = _time.GetTimestamp();
            return index;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new FileIndex(key);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException or ArgumentException)
        {
            IndexLog.Damaged(_logger, file, ex.Message, path);
            return new FileIndex(key);
        }
    }

    private void Save(FileIndex index, long now)
    {
        string file = Path.Combine(Directory, index.Key.Name + ".idx");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            string temporary = file + ".tmp";
            File.WriteAllBytes(temporary, index.Serialize());
            File.Move(temporary, file, overwrite: true);
            index.Dirty = false;
            index.SavedAt = now;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            IndexLog.SaveFailed(_logger, file, ex);
        }
    }

    /// <summary>
    /// The key a file with this prefix has: an existing one whose prefix it starts with, or a new one.
    /// </summary>
    private FileKey Identify(byte[] prefix)
    {
        var lengths = new SortedSet<int>(_indexes.Keys.Select(k => k.PrefixLength));
        foreach (string name in SavedNames())
        {
            if (FileKey.TryParse(name, out var saved))
            {
                lengths.Add(saved.PrefixLength);
            }
        }

        foreach (int n in lengths.Reverse())
        {
            if (n <= prefix.Length)
            {
                var candidate = new FileKey(n, FileKey.HashOf(prefix.AsSpan(0, n)));
                if (_indexes.ContainsKey(candidate) || File.Exists(Path.Combine(Directory, candidate.Name + ".idx")))
                {
                    return candidate;
                }
            }
        }

        return FileKey.Of(prefix);
    }

    private IEnumerable<string> SavedNames()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(Directory, "*.idx").Select(f => Path.GetFileNameWithoutExtension(f));
    }

    /// <summary>Forgets indexes of files that rotation deleted (not of ones seen in the last minute).</summary>
    private void Prune(HashSet<FileKey> live)
    {
        long now = _time.GetTimestamp();
        lock (_pruneLock)
        {
            if (ReadOnly || _time.GetElapsedTime(_lastPrune, now) < PruneInterval)
            {
                return;
            }

            _lastPrune = now;
        }

        foreach (var key in _indexes.Keys)
        {
            if (!live.Contains(key) && _indexes.TryGetValue(key, out var index) && _time.GetElapsedTime(index.SavedAt, now) >= PruneInterval)
            {
                _indexes.TryRemove(key, out _);
            }
        }

        try
        {
            foreach (string name in SavedNames().ToList())
            {
                if (FileKey.TryParse(name, out var key) && !live.Contains(key) && !_indexes.ContainsKey(key))
                {
                    var info = new FileInfo(Path.Combine(Directory, name + ".idx"));
                    if (_time.GetUtcNow() - info.LastWriteTimeUtc >= PruneInterval)
                    {
                        info.Delete();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            IndexLog.SaveFailed(_logger, Directory, ex);
        }
    }

    private static byte[] ReadPrefix(SafeFileHandle handle, bool compressed)
    {
        var buffer = new byte[FileKey.MaxPrefix];
        int n = 0;
        if (compressed)
        {
            using var text = new GZipStream(StoredFile.StreamAt(handle, 0, 1 << 16), CompressionMode.Decompress);
            n = text.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        else
        {
            int read;
            while (n < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(n), n)) > 0)
            {
                n += read;
            }
        }

        return buffer[..n];
    }

    private static ulong TailHash(SafeFileHandle handle, long end)
    {
        int n = (int)Math.Min(TailBytes, end);
        Span<byte> tail = stackalloc byte[TailBytes];
        int read = RandomAccess.Read(handle, tail[..n], end - n);
        return FileKey.HashOf(tail[..read]);
    }

    /// <summary>gzip's trailer holds the uncompressed size modulo 2^32 (RFC 1952 §2.3.1, ISIZE).</summary>
    private static bool IsizeMatches(SafeFileHandle handle, long end) => Isize(handle) == (uint)end;

    private static long Isize(SafeFileHandle handle)
    {
        long length = RandomAccess.GetLength(handle);
        Span<byte> isize = stackalloc byte[4];
        return length >= 18 && RandomAccess.Read(handle, isize, length - 4) == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(isize) : -1;
    }

    private static void Skip(Stream stream, long bytes)
    {
        byte[] scratch = new byte[1 << 16];
        while (bytes > 0)
        {
            int n = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, bytes));
            if (n <= 0)
            {
                throw new InvalidDataException("the file is shorter than its index");
            }

            bytes -= n;
        }
    }
}
