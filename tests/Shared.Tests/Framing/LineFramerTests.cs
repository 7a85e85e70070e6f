using System.Buffers;
using Shared.Framing;
using static Shared.Tests.Framing.FramerHarness;

namespace Shared.Tests.Framing;

public class LineFramerTests
{
    private const int Max = 64 * 1024;

    // Captured from util-linux logger without --octet-count (NOTES-dotnet.md).
    private const string LoggerLine =
        "<13>1 2026-11-22T04:45:59.305709+00:00 vm myapp - - [timeQuality tzKnown=\"1\" isSynced=\"0\"] " +
        "hello non-transparent\n";

    private static OperationStatus Read(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out FramingError error) =>
        LineFramer.TryReadFrame(ref buffer, Max, out frame, out error);

    [Fact]
    public void ReadsTheLineLoggerSendsWithoutItsTrailer()
    {
        var frames = ReadAll(Read, Bytes(LoggerLine), LoggerLine.Length);

        Assert.Equal([LoggerLine.TrimEnd('\n')], frames);
    }

    [Theory]
    [InlineData("a\nb\n")] // LF
    [InlineData("a\r\nb\r\n")] // CR LF: the CR is part of the trailer
    [InlineData("a\0b\0")] // NUL trailer, used by some legacy senders
    [InlineData("a\n\n\r\nb\n")] // blank lines carry no message and are skipped
    public void EndsAFrameAtLfCrLfOrNul(string stream)
    {
        Assert.Equal(["a", "b"], ReadAll(Read, Bytes(stream), stream.Length));
    }

    [Fact]
    public void ACarriageReturnInsideALineIsKept()
    {
        Assert.Equal(["a\rb"], ReadAll(Read, Bytes("a\rb\n"), 4));
    }

    [Fact]
    public void ReturnsNeedMoreDataForEveryPrefixOfALineAndConsumesNothing()
    {
        byte[] line = Bytes(LoggerLine);
        for (int length = 0; length < line.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(line, 0, length);

            Assert.Equal(OperationStatus.NeedMoreData, Read(ref buffer, out _, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(3, true)]
    [InlineData(1, false)]
    public void ReadsALineSplitIntoOneByteSegments(int chunkSize, bool oneBytePerSegment)
    {
        string stream = LoggerLine + "second\r\nthird\0";

        var frames = ReadAll(Read, Bytes(stream), chunkSize, oneBytePerSegment);

        Assert.Equal([LoggerLine.TrimEnd('\n'), "second", "third"], frames);
    }

    [Fact]
    public void ALineOfExactlyTheMaximumLengthIsAcceptedEvenWithCrLf()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes(new string('x', 10) + "\r\n"));

        Assert.Equal(OperationStatus.Done, LineFramer.TryReadFrame(ref buffer, 10, out var frame, out _));
        Assert.Equal(10, frame.Length);
    }

    [Fact]
    public void ALongerLineIsRejectedAsSoonAsItCannotFitWithoutWaitingForItsEnd()
    {
        var waiting = new ReadOnlySequence<byte>(Bytes(new string('x', 11)));
        var tooLong = new ReadOnlySequence<byte>(Bytes(new string('x', 12)));

        Assert.Equal(OperationStatus.NeedMoreData, LineFramer.TryReadFrame(ref waiting, 10, out _, out _));
        Assert.Equal(OperationStatus.InvalidData, LineFramer.TryReadFrame(ref tooLong, 10, out _, out var error));
        Assert.Equal(FramingErrorCode.FrameTooLarge, error.Code);
        Assert.Equal("frame of more than 10 bytes exceeds the limit of 10 bytes", error.ToString());
    }

    [Fact]
    public void ACompleteLineLongerThanTheLimitIsRejectedWithItsLength()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes(new string('x', 11) + "\n"));

        Assert.Equal(OperationStatus.InvalidData, LineFramer.TryReadFrame(ref buffer, 10, out _, out var error));
        Assert.Equal(11, error.Value);
    }
}
