using System.Buffers;
using System.Text;
using Shared.Framing;
using TestSupport;

namespace Shared.Tests.Framing;

/// <summary>
/// Drives a framer the way a connection loop does: data arrives in chunks, unconsumed bytes are kept.
/// </summary>
internal static class FramerHarness
{
    public delegate OperationStatus Framer(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out FramingError error);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlySequence<byte> frame) => Encoding.UTF8.GetString(frame.ToArray());

    /// <summary>
    /// Feeds <paramref name="stream"/> in chunks of <paramref name="chunkSize"/>, each read presented as one segment
    /// per byte when asked.
    /// </summary>
    public static List<string> ReadAll(Framer framer, byte[] stream, int chunkSize, bool oneBytePerSegment = false)
    {
        var frames = new List<string>();
        var pending = new List<byte>();
        for (int offset = 0; offset < stream.Length; offset += chunkSize)
        {
            pending.AddRange(stream.AsSpan(offset, Math.Min(chunkSize, stream.Length - offset)).ToArray());
            var buffer = oneBytePerSegment ? Sequences.OneBytePerSegment(pending.ToArray()) : new ReadOnlySequence<byte>(pending.ToArray());
            OperationStatus status;
            FramingError error;
            while ((status = framer(ref buffer, out var frame, out error)) == OperationStatus.Done)
            {
                frames.Add(Text(frame));
            }

            Assert.True(status == OperationStatus.NeedMoreData, $"unexpected {status}: {error}");
            pending.RemoveRange(0, pending.Count - (int)buffer.Length);
        }

        Assert.Empty(pending);
        return frames;
    }
}
