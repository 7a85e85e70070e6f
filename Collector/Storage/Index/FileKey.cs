using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Collector.Storage.Index;

/// <summary>
/// Names a messages file by its content, so its index follows it through rotation and compression
/// (<c>messages</c> → <c>messages.1</c> → <c>messages.2.gz</c> keep the same uncompressed bytes): a hash of its first
/// <see cref="PrefixLength"/> bytes (up to 4 KiB, fixed when the file was first indexed; the file only grows after).
/// </summary>
public readonly record struct FileKey(int PrefixLength, ulong Hash)
{
    public const int MaxPrefix = 4096;

    public string Name => $"{Hash:x16}-{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    public static FileKey Of(ReadOnlySpan<byte> prefix) => new(prefix.Length, HashOf(prefix));

    public static ulong HashOf(ReadOnlySpan<byte> bytes)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    public static bool TryParse(string name, out FileKey key)
    {
        key = default;
        int dash = name.IndexOf('-', StringComparison.Ordinal);
        if (dash != 16
            || !ulong.TryParse(name.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hash)
            || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || n is <= 0 or > MaxPrefix)
        {
            return false;
        }

        key = new FileKey(n, hash);
        return true;
    }
}
