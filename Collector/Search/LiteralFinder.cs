using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Collector.Search;

/// <summary>
/// Finds a literal of two or more bytes in a long buffer (a whole read of many lines): 64 positions at a time, the
/// first and the last byte of the literal are compared at once and only positions where both match are checked in
/// full. <c>Span.IndexOf(span)</c> does the same, but the native build targets the x64 baseline (no AVX2), where the
/// runtime's version compares 16 positions a step: ~6 GB/s on the 2-core VM of the search benchmark
/// (docs/performance.md) against ~16 GB/s for this one (a 256 KiB buffer in L2, the rare term of that benchmark), which
/// needs nothing past SSE2 or AdvSimd.
/// </summary>
public sealed class LiteralFinder
{
    private const int Step = 64;

    private readonly byte[] _literal;
    private readonly Vector128<byte> _first;
    private readonly Vector128<byte> _last;

    public LiteralFinder(byte[] literal)
    {
        ArgumentOutOfRangeException.ThrowIfZero(literal.Length);
        _literal = literal;
        _first = Vector128.Create(literal[0]);
        _last = Vector128.Create(literal[^1]);
    }

    /// <summary>Where the first occurrence starts, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> text)
    {
        int n = _literal.Length;
        if (n < 2 || !Vector128.IsHardwareAccelerated)
        {
            return text.IndexOf(_literal);
        }

        // Locals, so the loop keeps them in registers.
        var first = _first;
        var last = _last;
        ref byte start = ref MemoryMarshal.GetReference(text);
        int i = 0;

        // Each step looks at starts i .. i+63, which needs text up to i+63+n.
        for (; i <= text.Length - n - (Step - 1); i += Step)
        {
            ulong candidates = Candidates(ref Unsafe.Add(ref start, i), n - 1, first, last);
            if (candidates != 0)
            {
                int at = FirstVerified(text, i, candidates);
                if (at >= 0)
                {
                    return at;
                }
            }
        }

        int rest = text[i..].IndexOf(_literal);
        return rest < 0 ? -1 : i + rest;
    }

    /// <summary>Where the last occurrence starts, or -1.</summary>
    public int LastIndexOf(ReadOnlySpan<byte> text)
    {
        int n = _literal.Length;
        if (n < 2 || !Vector128.IsHardwareAccelerated)
        {
            return text.LastIndexOf(_literal);
        }

        var first = _first;
        var last = _last;
        ref byte start = ref MemoryMarshal.GetReference(text);
        int i = text.Length - n - (Step - 1);
        for (; i >= 0; i -= Step)
        {
            ulong candidates = Candidates(ref Unsafe.Add(ref start, i), n - 1, first, last);
            if (candidates != 0)
            {
                int at = LastVerified(text, i, candidates);
                if (at >= 0)
                {
                    return at;
                }
            }
        }

        // Starts 0 .. i+63 are left (i is now below 0): they lie in the first i+63+n bytes.
        int left = Math.Min(text.Length, i + (Step - 1) + n);
        return left < n ? -1 : text[..left].LastIndexOf(_literal);
    }

    /// <summary>
    /// Bit k set: position k has the literal's first byte and position k+<paramref name="lastAt"/> its last.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Candidates(ref byte at, int lastAt, Vector128<byte> first, Vector128<byte> last)
    {
        ref byte end = ref Unsafe.Add(ref at, lastAt);
        var m0 = Vector128.Equals(Vector128.LoadUnsafe(ref at), first) & Vector128.Equals(Vector128.LoadUnsafe(ref end), last);
        var m1 = Vector128.Equals(Vector128.LoadUnsafe(ref at, 16), first) & Vector128.Equals(Vector128.LoadUnsafe(ref end, 16), last);
        var m2 = Vector128.Equals(Vector128.LoadUnsafe(ref at, 32), first) & Vector128.Equals(Vector128.LoadUnsafe(ref end, 32), last);
        var m3 = Vector128.Equals(Vector128.LoadUnsafe(ref at, 48), first) & Vector128.Equals(Vector128.LoadUnsafe(ref end, 48), last);

        // One movemask for the common case of no candidate at all.
        if ((m0 | m1 | m2 | m3).ExtractMostSignificantBits() == 0)
        {
            return 0;
        }

        return m0.ExtractMostSignificantBits() | ((ulong)m1.ExtractMostSignificantBits() << 16)
            | ((ulong)m2.ExtractMostSignificantBits() << 32) | ((ulong)m3.ExtractMostSignificantBits() << 48);
    }

    // The candidate checks stay out of line: the scan loop keeps its registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int FirstVerified(ReadOnlySpan<byte> text, int i, ulong candidates)
    {
        for (; candidates != 0; candidates &= candidates - 1)
        {
            int at = i + BitOperations.TrailingZeroCount(candidates);
            if (Verify(text, at))
            {
                return at;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int LastVerified(ReadOnlySpan<byte> text, int i, ulong candidates)
    {
        for (; candidates != 0; candidates &= ~(1UL << ((Step - 1) - BitOperations.LeadingZeroCount(candidates))))
        {
            int at = i + (Step - 1) - BitOperations.LeadingZeroCount(candidates);
            if (Verify(text, at))
            {
                return at;
            }
        }

        return -1;
    }

    private bool Verify(ReadOnlySpan<byte> text, int at) =>
        text.Slice(at + 1, _literal.Length - 2).SequenceEqual(_literal.AsSpan(1, _literal.Length - 2));
}
