using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Collector.Storage.Index;

/// <summary>
/// One messages file held open for a search (so rotation renaming or deleting it does not disturb the reader), with
/// its index brought up to date when it was opened. <see cref="Length"/> is the uncompressed text the index covers.
/// </summary>
public sealed class StoredFile(string path, bool compressed, SafeFileHandle handle, FileKey key, FileIndex index) : IDisposable
{
    public string Path => path;

    public bool Compressed => compressed;

    public SafeFileHandle Handle => handle;

    public FileKey Key => key;

    public FileIndex Index => index;

    /// <summary>The blocks as of opening: searches see this state even while the index grows.</summary>
    public IndexBlock[] Blocks { get; } = index.Snapshot();

    public long Length => Blocks.Length == 0 ? 0 : Blocks[^1].End;

    /// <summary>The uncompressed text from the start (a fresh stream each call; the caller disposes it).</summary>
    public Stream OpenText()
    {
        var raw = StreamAt(handle, 0, 1 << 16);
        return compressed ? new GZipStream(raw, CompressionMode.Decompress, leaveOpen: false) : raw;
    }

    /// <summary>
    /// A stream over a handle it does not own (the handle outlives it), starting at <paramref name="offset"/>.
    /// </summary>
    public static FileStream StreamAt(SafeFileHandle handle, long offset, int bufferSize)
    {
        var stream = new FileStream(new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, bufferSize);
        stream.Position = offset;
        return stream;
    }

    public void Dispose() => handle.Dispose();
}
