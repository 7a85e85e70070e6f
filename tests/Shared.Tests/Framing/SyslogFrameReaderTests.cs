using System.Buffers;
using Shared.Framing;
using static Shared.Tests.Framing.FramerHarness;

namespace Shared.Tests.Framing;

public class SyslogFrameReaderTests
{
    private static byte[] OctetCounted(string message)
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteOctetCounted(writer, Bytes(message));
        return writer.WrittenSpan.ToArray();
    }

    private static Framer Adapt(SyslogFrameReader reader, List<SyslogFrame>? seen = null) =>
        (ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out FramingError error) =>
        {
            var status = reader.TryReadFrame(ref buffer, out var syslogFrame, out error);
            frame = syslogFrame.Payload;
            if (status == OperationStatus.Done)
            {
                seen?.Add(syslogFrame);
            }

            return status;
        };

    [Theory]
    [InlineData(1, true)]
    [InlineData(5, false)]
    [InlineData(1000, false)]
    public void DetectsTheFramingOfEachFrameOnOneConnection(int chunkSize, bool oneBytePerSegment)
    {
        byte[] stream =
        [
            .. OctetCounted("<13>1 - - a - - - one"),
            .. Bytes("<13>1 - - b - - - two\n"),
            .. OctetCounted("<13>1 - - c - - - three\nwith LF"),
            .. Bytes("<13>legacy\r\n"),
        ];
        var seen = new List<SyslogFrame>();

        var frames = ReadAll(Adapt(new SyslogFrameReader(), seen), stream, chunkSize, oneBytePerSegment);

        Assert.Equal(["<13>1 - - a - - - one", "<13>1 - - b - - - two", "<13>1 - - c - - - three\nwith LF", "<13>legacy"], frames);
        Assert.Equal(
            [SyslogFraming.OctetCounting, SyslogFraming.LineFeed, SyslogFraming.OctetCounting, SyslogFraming.LineFeed],
            seen.Select(f => f.Framing));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void AnLfAfterAnOctetCountedFrameIsTolerated(int chunkSize)
    {
        // Some senders end octet-counted frames with an uncounted LF (or CR LF, NUL); it reads as a blank line and is
        // skipped, and the digit after it still starts an octet-counted frame (rsyslog's imtcp decides per frame too).
        byte[] stream =
        [
            .. OctetCounted("<13>1 - - a - - - one"), (byte)'\n', .. OctetCounted("<13>1 - - a - - - two"), (byte)'\r', (byte)'\n',
            .. OctetCounted("<13>1 - - a - - - three"), 0, (byte)'\n', .. OctetCounted("<13>1 - - a - - - four"), (byte)'\n',
        ];
        var seen = new List<SyslogFrame>();

        var frames = ReadAll(Adapt(new SyslogFrameReader(), seen), stream, chunkSize);

        Assert.Equal(["<13>1 - - a - - - one", "<13>1 - - a - - - two", "<13>1 - - a - - - three", "<13>1 - - a - - - four"], frames);
        Assert.All(seen, f => Assert.Equal(SyslogFraming.OctetCounting, f.Framing));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(100_000)]
    public void AnOversizeOctetCountedFrameIsTruncatedAndItsRestNeverBecomesAMessage(int chunkSize)
    {
        // The rest of the long message looks like frames itself: it must be skipped, not parsed.
        string poison = string.Concat(Enumerable.Repeat("9 <13>1 x\n", 50));
        string longMessage = "<13>1 - - big - - - " + poison;
        byte[] stream = [.. OctetCounted(longMessage), .. OctetCounted("<13>1 - - next - - - after")];
        var reader = new SyslogFrameReader(maxFrameLength: 64);
        var seen = new List<SyslogFrame>();

        var frames = ReadAll(Adapt(reader, seen), stream, chunkSize);

        Assert.Equal([longMessage[..64], "<13>1 - - next - - - after"], frames);
        Assert.True(seen[0].IsTruncated);
        Assert.Equal(Bytes(longMessage).Length, seen[0].OriginalLength);
        Assert.False(seen[1].IsTruncated);
        Assert.Equal(1, reader.TruncatedFrames);
        Assert.False(reader.IsSkipping);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    [InlineData(100_000)]
    public void AnOversizeLineIsTruncatedAndTheRestOfTheLineIsSkipped(int chunkSize)
    {
        string longLine = "<13>legacy " + new string('x', 200) + " 12 <13>1 looks like a frame";
        byte[] stream = Bytes(longLine + "\n" + "<13>short\n");
        var reader = new SyslogFrameReader(maxFrameLength: 64);
        var seen = new List<SyslogFrame>();

        var frames = ReadAll(Adapt(reader, seen), stream, chunkSize);

        Assert.Equal([longLine[..64], "<13>short"], frames);
        Assert.True(seen[0].IsTruncated);
        Assert.Equal(1, reader.TruncatedFrames);
    }

    [Fact]
    public void InRejectModeAnOversizeFrameIsAnError()
    {
        var reader = new SyslogFrameReader(maxFrameLength: 10, OversizeFrameHandling.Reject);
        var buffer = new ReadOnlySequence<byte>(OctetCounted("<13>1 - - - - - - too long"));

        Assert.Equal(OperationStatus.InvalidData, reader.TryReadFrame(ref buffer, out _, out var error));
        Assert.Equal(FramingErrorCode.FrameTooLarge, error.Code);
    }

    [Theory]
    [InlineData("00012 <13>1 - - -", FramingErrorCode.LengthLeadingZero)]
    [InlineData("99999999999 x", FramingErrorCode.LengthTooLarge)]
    [InlineData("12<13>1 - - - - - -", FramingErrorCode.SpaceExpected)]
    public void AMalformedOctetCountIsAnErrorEvenWhenTruncating(string stream, FramingErrorCode expected)
    {
        var buffer = new ReadOnlySequence<byte>(Bytes(stream));

        Assert.Equal(OperationStatus.InvalidData, new SyslogFrameReader().TryReadFrame(ref buffer, out _, out var error));
        Assert.Equal(expected, error.Code);
    }

    [Fact]
    public void AHugeDeclaredLengthIsTruncatedWithoutBufferingIt()
    {
        // 2 GB declared: the reader must deliver the first 64 bytes once it has them, not wait for 2 GB.
        byte[] stream = [.. Bytes("2000000000 "), .. Bytes(new string('y', 100))];
        var reader = new SyslogFrameReader(maxFrameLength: 64);
        var buffer = new ReadOnlySequence<byte>(stream);

        Assert.Equal(OperationStatus.Done, reader.TryReadFrame(ref buffer, out var frame, out _));
        Assert.Equal(64, frame.Payload.Length);
        Assert.Equal(2_000_000_000, frame.OriginalLength);
        Assert.Equal(OperationStatus.NeedMoreData, reader.TryReadFrame(ref buffer, out _, out _));
        Assert.True(buffer.IsEmpty);
        Assert.True(reader.IsSkipping);
    }
}
