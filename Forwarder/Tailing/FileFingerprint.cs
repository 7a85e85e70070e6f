using Microsoft.Win32.SafeHandles;

namespace Forwarder.Tailing;

/// <summary>
/// A hash of a file's first bytes (up to <see cref="MaxLength"/>), kept with the number of bytes hashed. With device
/// and inode it identifies a file across restarts: a new file that reuses a deleted file's inode starts differently.
/// FNV-1a: stable across processes (string.GetHashCode is not) and fast enough for 256 bytes.
/// </summary>
internal readonly record struct FileFingerprint(int Length, ulong Hash)
{
    public const int MaxLength = 256;

    public bool IsComplete => Length == MaxLength;

    public static FileFingerprint Read(SafeFileHandle handle)
    {
        Span<byte> head = stackalloc byte[MaxLength];
        int n = 0;
        while (n < MaxLength)
        {
            int read = RandomAccess.Read(handle, head[n..], n);
            if (read == 0)
            {
                break;
            }

            n += read;
        }

        return new FileFingerprint(n, Compute(head[..n]));
    }

    /// <summary>Whether the file still starts with the bytes this fingerprint was taken from.</summary>
    public bool Matches(SafeFileHandle handle)
    {
        Span<byte> head = stackalloc byte[MaxLength];
        int n = 0;
        while (n < Length)
        {
            int read = RandomAccess.Read(handle, head[n..Length], n);
            if (read == 0)
            {
                return false;
            }

            n += read;
        }

        return Compute(head[..Length]) == Hash;
    }

    private static ulong Compute(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
