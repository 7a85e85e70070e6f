using System.Buffers;
using System.Text;
using Shared.Relp;
using TestSupport;

namespace Shared.Tests.Relp;

public class RelpFrameReaderTests
{
    // What rsyslog's omrelp (librelp 1.11) sends on a new session, one message, and close.
    private const string OmrelpSession =
        "1 open 86 relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n" +
        "2 syslog 33 <13>Dec  6 03:00:00 host app: one\n" +
        "3 syslog 33 <13>Dec  6 03:00:01 host app: two\n" +
        "4 close 0\n";

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Describe(RelpFrame frame) =>
        $"{frame.Txnr} {Encoding.ASCII.GetString(frame.Name.ToArray())} " +
        $"{frame.DataLength}{(frame.IsOversize ? " oversize" : string.Empty)} " +
        $"[{Encoding.UTF8.GetString(frame.Data.ToArray())}]";

    /// <summary>Feeds the stream in chunks (optionally one byte per segment), the way a pipe hands it over.</summary>
    private static List<string> ReadAll(byte[] stream, int chunkSize, bool oneBytePerSegment = false, int maxDataLength = 1024)
    {
        var reader = new RelpFrameReader(maxDataLength);
        var frames = new List<string>();
        var pending = new List<byte>();
        for (int offset = 0; offset < stream.Length; offset += chunkSize)
        {
            pending.AddRange(stream.AsSpan(offset, Math.Min(chunkSize, stream.Length - offset)).ToArray());
            var buffer = oneBytePerSegment ? Sequences.OneBytePerSegment(pending.ToArray()) : new ReadOnlySequence<byte>(pending.ToArray());
            OperationStatus status;
            RelpFramingError error;
            while ((status = reader.TryReadFrame(ref buffer, out var frame, out error)) == OperationStatus.Done)
            {
                frames.Add(Describe(frame));
            }

            Assert.True(status == OperationStatus.NeedMoreData, $"unexpected {status}: {error}");
            pending.RemoveRange(0, pending.Count - (int)buffer.Length);
        }

        Assert.Empty(pending);
        Assert.False(reader.IsSkipping);
        return frames;
    }

    private static readonly string[] OmrelpFrames =
    [
        "1 open 86 [relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog]",
        "2 syslog 33 [<13>Dec  6 03:00:00 host app: one]",
        "3 syslog 33 [<13>Dec  6 03:00:01 host app: two]",
        "4 close 0 []",
    ];

    [Fact]
    public void ReadsTheFramesOfAnOmrelpSession()
    {
        Assert.Equal(OmrelpFrames, ReadAll(Bytes(OmrelpSession), OmrelpSession.Length));
    }

    [Fact]
    public void ClassifiesTheCommandsLibrelpKnows()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes(
            "1 open 0\n2 syslog 1 x\n3 rsp 6 200 OK\n4 close 0\n0 serverclose 0\n5 starttls 0\n6 eventlog 0\n"));
        var reader = new RelpFrameReader();
        var commands = new List<RelpCommand>();
        while (reader.TryReadFrame(ref buffer, out var frame, out _) == OperationStatus.Done)
        {
            commands.Add(frame.Command);
        }

        Assert.Equal(
            [
                RelpCommand.Open,
                RelpCommand.Syslog,
                RelpCommand.Rsp,
                RelpCommand.Close,
                RelpCommand.ServerClose,
                RelpCommand.StartTls,
                RelpCommand.Other],
            commands);
    }

    [Fact]
    public void ReturnsNeedMoreDataForEveryPrefixOfAFrameAndConsumesNothing()
    {
        foreach (string text in (string[])["2 syslog 33 <13>Dec  6 03:00:00 host app: one\n", "4 close 0\n", "123456789 rsp 6 200 OK\n"])
        {
            byte[] frame = Bytes(text);
            for (int length = 0; length < frame.Length; length++)
            {
                var buffer = new ReadOnlySequence<byte>(frame, 0, length);

                var status = new RelpFrameReader().TryReadFrame(ref buffer, out _, out var error);

                Assert.True(status == OperationStatus.NeedMoreData, $"prefix of {length} bytes of '{text}': {status} {error}");
                Assert.Equal(length, buffer.Length);
            }
        }
    }

    [Fact]
    public void ReadsASessionArrivingInEveryChunkSize()
    {
        byte[] stream = Bytes(OmrelpSession);
        for (int chunk = 1; chunk <= stream.Length; chunk++)
        {
            Assert.Equal(OmrelpFrames, ReadAll(stream, chunk));
        }
    }

    [Fact]
    public void ReadsFramesSplitIntoOneByteSegments()
    {
        byte[] stream = Bytes(OmrelpSession);
        Assert.Equal(OmrelpFrames, ReadAll(stream, stream.Length, oneBytePerSegment: true));
        Assert.Equal(OmrelpFrames, ReadAll(stream, 7, oneBytePerSegment: true));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", RelpFramingErrorCode.TxnrExpected)]
    [InlineData("<13>1 2026-12-06T03:00:00Z host app - - - plain syslog\n", RelpFramingErrorCode.TxnrExpected)]
    [InlineData("57 <13>1 - host app - - - octet-counted syslog\n", RelpFramingErrorCode.CommandInvalid)]
    [InlineData("1x open 0\n", RelpFramingErrorCode.SpaceExpected)]
    [InlineData("1 op3n 0\n", RelpFramingErrorCode.CommandInvalid)]
    [InlineData("1  open 0\n", RelpFramingErrorCode.CommandInvalid)]
    [InlineData("1234567890 open 0\n", RelpFramingErrorCode.TxnrTooLong)]
    [InlineData("1 abcdefghijklmnopqrstuvwxyzabcdefg 0\n", RelpFramingErrorCode.CommandTooLong)]
    [InlineData("1 open x\n", RelpFramingErrorCode.DataLengthInvalid)]
    [InlineData("1 open 1234567890 x\n", RelpFramingErrorCode.DataLengthTooLong)]
    [InlineData("1 open 0 \n", RelpFramingErrorCode.TrailerExpected)]
    [InlineData("1 open 3\nabc\n", RelpFramingErrorCode.SpaceExpected)]
    [InlineData("1 open 3 abcd\n", RelpFramingErrorCode.TrailerExpected)]
    public void RefusesWhatLibrelpRefuses(string text, RelpFramingErrorCode expected)
    {
        var buffer = new ReadOnlySequence<byte>(Bytes(text));

        var status = new RelpFrameReader().TryReadFrame(ref buffer, out _, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(expected, error.Code);
        Assert.False(string.IsNullOrEmpty(error.ToString()));
    }

    [Fact]
    public void RefusesGarbageAtItsFirstByteWithoutWaitingForMore()
    {
        var buffer = new ReadOnlySequence<byte>(Bytes("G"));

        Assert.Equal(OperationStatus.InvalidData, new RelpFrameReader().TryReadFrame(ref buffer, out _, out var error));
        Assert.Equal(RelpFramingErrorCode.TxnrExpected, error.Code);
    }

    [Fact]
    public void DeliversAnOversizeFrameAsItsHeaderAndSkipsItsData()
    {
        string big = new('x', 100);
        byte[] stream = Bytes($"2 syslog 3 one\n3 syslog 100 {big}\n4 syslog 3 two\n");
        string[] expected = ["2 syslog 3 [one]", "3 syslog 100 oversize []", "4 syslog 3 [two]"];
        for (int chunk = 1; chunk <= stream.Length; chunk += 5)
        {
            Assert.Equal(expected, ReadAll(stream, chunk, maxDataLength: 99));
        }

        Assert.Equal(expected, ReadAll(stream, stream.Length, oneBytePerSegment: true, maxDataLength: 99));
        Assert.Equal(["2 syslog 3 [one]", $"3 syslog 100 [{big}]", "4 syslog 3 [two]"], ReadAll(stream, stream.Length, maxDataLength: 100));
    }

    [Fact]
    public void AnOversizeFrameWithoutItsTrailerLosesTheFraming()
    {
        var reader = new RelpFrameReader(4);
        var buffer = new ReadOnlySequence<byte>(Bytes("2 syslog 5 12345X3 syslog 1 y\n"));

        Assert.Equal(OperationStatus.Done, reader.TryReadFrame(ref buffer, out var frame, out _));
        Assert.True(frame.IsOversize);
        Assert.Equal(OperationStatus.InvalidData, reader.TryReadFrame(ref buffer, out _, out var error));
        Assert.Equal(RelpFramingErrorCode.TrailerExpected, error.Code);
    }

    [Fact]
    public void AFrameCutInsideItsDataIsNotDelivered()
    {
        // A connection reset mid-frame: what arrived is a prefix, never a frame.
        var reader = new RelpFrameReader();
        var buffer = new ReadOnlySequence<byte>(Bytes("2 syslog 3 one\n3 syslog 30 <13>cut he"));

        Assert.Equal(OperationStatus.Done, reader.TryReadFrame(ref buffer, out _, out _));
        Assert.Equal(OperationStatus.NeedMoreData, reader.TryReadFrame(ref buffer, out _, out _));
        Assert.Equal("3 syslog 30 <13>cut he", Encoding.ASCII.GetString(buffer.ToArray()));
    }

    [Fact]
    public void ReadsDataHoldingLineFeedsAndNulBytes()
    {
        byte[] data = [(byte)'a', 0, (byte)'\n', (byte)'b'];
        var writer = new ArrayBufferWriter<byte>();
        RelpFrameWriter.Write(writer, 7, "syslog"u8, data);
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);

        Assert.Equal(OperationStatus.Done, new RelpFrameReader().TryReadFrame(ref buffer, out var frame, out _));
        Assert.Equal(data, frame.Data.ToArray());
        Assert.True(buffer.IsEmpty);
    }
}
