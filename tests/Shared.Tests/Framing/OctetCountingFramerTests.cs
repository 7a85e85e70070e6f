using System.Buffers;
using Shared.Framing;
using TestSupport;
using static Shared.Tests.Framing.FramerHarness;

namespace Shared.Tests.Framing;

public class OctetCountingFramerTests
{
    private const int Max = 64 * 1024;

    // Captured from util-linux logger --octet-count (NOTES-dotnet.md): two frames on one connection.
    private const string LoggerTwoLines =
        "100 <143>1 2026-11-22T04:45:59.314189+00:00 vm multi - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] line one" +
        "100 <143>1 2026-11-22T04:45:59.314260+00:00 vm multi - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] line two";

    private static readonly string[] ThreeMessages = ["<13>1 - - a - - - one", "<13>1 - - b - - - two\nwith LF inside", "<14>1 - - c - - - ünïcödé"];

    private static OperationStatus Read(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out FramingError error) =>
        OctetCountingFramer.TryReadFrame(ref buffer, Max, out frame, out error);

    private static byte[] Stream(params string[] messages)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            FrameWriter.WriteOctetCounted(writer, Bytes(message));
        }

        return writer.WrittenSpan.ToArray();
    }

    [Fact]
    public void ReadsTheTwoFramesLoggerSendsOnOneConnection()
    {
        var frames = ReadAll(Read, Bytes(LoggerTwoLines), LoggerTwoLines.Length);

        Assert.Equal(2, frames.Count);
        Assert.EndsWith("line one", frames[0]);
        Assert.EndsWith("line two", frames[1]);
        Assert.Equal(100, Bytes(frames[0]).Length);
    }

    [Fact]
    public void ReturnsNeedMoreDataForEveryPrefixOfAFrameAndConsumesNothing()
    {
        byte[] frame = Stream(ThreeMessages[1]);
        for (int length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);

            var status = Read(ref buffer, out _, out var error);

            Assert.Equal(OperationStatus.NeedMoreData, status);
            Assert.False(error.IsError);
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void EveryPrefixOfAStreamYieldsExactlyTheCompleteFramesInIt()
    {
        byte[] stream = Stream(ThreeMessages);
        int[] ends = [.. ThreeMessages.Select((_, i) => Stream(ThreeMessages[..(i + 1)]).Length)];
        for (int length = 0; length <= stream.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(stream, 0, length);
            var frames = new List<string>();
            while (Read(ref buffer, out var frame, out _) == OperationStatus.Done)
            {
                frames.Add(Text(frame));
            }

            int complete = ends.Count(end => end <= length);
            Assert.Equal(ThreeMessages[..complete], frames);
            Assert.Equal(length - (complete == 0 ? 0 : ends[complete - 1]), buffer.Length);
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(7, true)]
    [InlineData(4096, false)]
    public void ReadsTheSameFramesWhateverTheReadAndSegmentSizes(int chunkSize, bool oneBytePerSegment)
    {
        var frames = ReadAll(Read, Stream(ThreeMessages), chunkSize, oneBytePerSegment);

        Assert.Equal(ThreeMessages, frames);
    }

    [Fact]
    public void AFrameOfExactlyTheMaximumLengthIsAccepted()
    {
        var message = "<13>1 - - - - - - " + new string('x', 100 - 18);
        var buffer = new ReadOnlySequence<byte>(Stream(message));

        var status = OctetCountingFramer.TryReadFrame(ref buffer, 100, out var frame, out _);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(100, frame.Length);
    }

    // The bad-input corpus for octet counting: each is a stream that cannot be framed, with the reason.
    [Theory]
    [InlineData("00012 <13>1 - - - - - -", FramingErrorCode.LengthLeadingZero)] // leading zero
    [InlineData("0 x", FramingErrorCode.LengthLeadingZero)] // zero-length frame: MSG-LEN starts with NONZERO-DIGIT
    [InlineData("99999999999 <13>1", FramingErrorCode.LengthTooLarge)] // 11 digits
    [InlineData("3000000000 <13>1", FramingErrorCode.LengthTooLarge)] // fits 10 digits, not 31 bits
    [InlineData("12<13>1 - - - -", FramingErrorCode.SpaceExpected)] // missing space
    [InlineData("12x <13>1 - - -", FramingErrorCode.SpaceExpected)] // non-digit in the length
    [InlineData("<13>1 - - - - - - LF framed", FramingErrorCode.SpaceExpected)] // not octet-counted at all
    [InlineData("65537 <13>1", FramingErrorCode.FrameTooLarge)] // declared length above the limit
    public void RejectsAMalformedOrOversizeLengthWithAClearReason(string stream, FramingErrorCode expected)
    {
        var buffer = new ReadOnlySequence<byte>(Bytes(stream));

        var status = OctetCountingFramer.TryReadFrame(ref buffer, 65536, out _, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(expected, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.ToString()));
    }

    [Fact]
    public void TheOversizeErrorNamesTheDeclaredLengthAndTheLimit()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes("70000 <13>1"));

        OctetCountingFramer.TryReadFrame(ref buffer, 65536, out _, out var error);

        Assert.Equal("frame of 70000 bytes exceeds the limit of 65536 bytes", error.ToString());
    }

    [Fact]
    public void AMalformedLengthSplitAcrossOneByteSegmentsIsStillRejected()
    {
        var buffer = Sequences.OneBytePerSegment(Bytes("00012 <13>1"));

        Assert.Equal(OperationStatus.InvalidData, Read(ref buffer, out _, out var error));
        Assert.Equal(FramingErrorCode.LengthLeadingZero, error.Code);
    }

    [Fact]
    public void AnEmptyBufferNeedsMoreData()
    {
        var buffer = ReadOnlySequence<byte>.Empty;

        Assert.Equal(OperationStatus.NeedMoreData, Read(ref buffer, out _, out _));
    }
}
