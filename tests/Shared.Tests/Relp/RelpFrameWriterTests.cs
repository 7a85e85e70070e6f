using System.Buffers;
using System.Text;
using Shared.Relp;

namespace Shared.Tests.Relp;

public class RelpFrameWriterTests
{
    private static string Written(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void WritesFramesAsLibrelpBuildsThem()
    {
        Assert.Equal("2 syslog 5 hello\n", Written(w => RelpFrameWriter.Write(w, 2, "syslog"u8, "hello"u8)));
        Assert.Equal("3 close 0\n", Written(w => RelpFrameWriter.Write(w, 3, "close"u8, default)));
        Assert.Equal("9 rsp 6 200 OK\n", Written(w => RelpFrameWriter.WriteOk(w, 9)));
        Assert.Equal("0 serverclose 0\n", Encoding.ASCII.GetString(RelpFrameWriter.ServerCloseFrame));
    }

    [Fact]
    public void WritesAnErrorAnswerWithItsReasonOnOneLineOfAtMost80Bytes()
    {
        string reason = "frame too long:\n" + new string('x', 100);

        string frame = Written(w => RelpFrameWriter.WriteResponse(w, 4, 500, Encoding.UTF8.GetBytes(reason)));

        Assert.Equal($"4 rsp 84 500 frame too long: {new string('x', 64)}\n", frame);
    }

    [Fact]
    public void WritesTheOpenAnswerWithOffersAfterTheFirstLine()
    {
        var offers = new RelpOffers { Version = 0, Software = ["kube-syslog", "1.0"], Commands = ["syslog"] };

        string frame = Written(w => RelpFrameWriter.WriteResponse(w, 1, 200, "OK"u8, offers.ToBytes()));

        Assert.Equal("1 rsp 67 200 OK\nrelp_version=0\nrelp_software=kube-syslog,1.0\ncommands=syslog\n", frame);
    }

    [Fact]
    public void RefusesATxnrOfTenDigits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RelpFrameWriter.Write(new ArrayBufferWriter<byte>(), 1_000_000_000, "syslog"u8, "x"u8));
    }

    [Fact]
    public void TransactionNumbersWrapFromTheLargestNineDigitNumberToOne()
    {
        Assert.Equal(2, RelpTxnr.Next(1));
        Assert.Equal(999_999_999, RelpTxnr.Next(999_999_998));
        Assert.Equal(1, RelpTxnr.Next(999_999_999));
    }
}
