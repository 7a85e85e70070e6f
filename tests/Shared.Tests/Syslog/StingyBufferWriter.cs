using System.Buffers;

namespace Shared.Tests.Syslog;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands out exactly the size asked for (at least 1), in a fresh array
/// filled with 0xCC, and refuses to advance past it: a writer relying on spare room, or on bytes it did not
/// write, shows up as an exception or as 0xCC in the output.
/// </summary>
internal sealed class StingyBufferWriter : IBufferWriter<byte>
{
    private readonly List<byte> _written = [];
    private byte[] _current = [];

    public byte[] WrittenBytes => [.. _written];

    public int GetSpanCalls { get; private set; }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        GetSpanCalls++;
        _current = new byte[Math.Max(sizeHint, 1)];
        _current.AsSpan().Fill(0xCC);
        return _current;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _current.Length);
        _written.AddRange(_current.AsSpan(0, count));
        _current = [];
    }
}
