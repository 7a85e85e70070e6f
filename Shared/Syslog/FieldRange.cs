namespace Shared.Syslog;

/// <summary>
/// Where a field lies inside the frame it was parsed from (Kestrel's offset-and-length idea): parsing
/// records positions instead of copying bytes or building strings. Empty means absent (NILVALUE).
/// </summary>
public readonly record struct FieldRange(int Start, int Length)
{
    public bool IsEmpty => Length == 0;

    public int End => Start + Length;

    public ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> frame) => frame.Slice(Start, Length);

    public ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> frame) => frame.Slice(Start, Length);

    internal static FieldRange FromBounds(int start, int end) => new(start, end - start);
}
