using System.Text;
using Shared.Relp;

namespace Shared.Tests.Relp;

/// <summary>
/// <see cref="RelpResponse.TryParse"/>: the <c>200 OK</c> that answers nearly every message takes a shortcut;
/// everything else is read as librelp's <c>readRspHdr</c> reads it.
/// </summary>
public class RelpResponseTests
{
    private static RelpResponse Parse(string data)
    {
        Assert.True(RelpResponse.TryParse(Encoding.UTF8.GetBytes(data), out var response, out string? error), error);
        Assert.Null(error);
        return response;
    }

    [Fact]
    public void TheUsualOkIsCode200WithMessageOkAndNoBody()
    {
        var response = Parse("200 OK");

        Assert.True(response.IsOk);
        Assert.Equal(200, response.Code);
        Assert.Equal("OK", response.Message);
        Assert.True(response.Body.IsEmpty);
        Assert.Equal("200 OK", response.ToString());
    }

    [Fact]
    public void AnOkWithOffersKeepsTheOffersAsTheBody()
    {
        var response = Parse("200 OK\nrelp_version=0\ncommands=syslog");

        Assert.True(response.IsOk);
        Assert.Equal("OK", response.Message);
        Assert.Equal("relp_version=0\ncommands=syslog", Encoding.UTF8.GetString(response.Body.Span));
    }

    [Theory]
    [InlineData("200 OKAY", 200, "OKAY")]
    [InlineData("200 OK ", 200, "OK ")]
    [InlineData("200 ok", 200, "ok")]
    [InlineData("200", 200, "")]
    [InlineData("500 frame too long", 500, "frame too long")]
    [InlineData("500 OK", 500, "OK")]
    public void AnythingButTheExactOkIsReadInFull(string data, int code, string message)
    {
        var response = Parse(data);

        Assert.Equal(code, response.Code);
        Assert.Equal(message, response.Message);
        Assert.Equal(code == 200, response.IsOk);
    }

    [Fact]
    public void AHumanMessageIsCutAt80Bytes()
    {
        var response = Parse("500 " + new string('x', 100));

        Assert.Equal(new string('x', RelpResponse.MaxMessageLength), response.Message);
    }

    [Theory]
    [InlineData("", "empty response")]
    [InlineData("20", "response does not start with a three-digit code")]
    [InlineData("OK 200", "response does not start with a three-digit code")]
    [InlineData("200OK", "response code is not followed by SP")]
    public void BadDataIsRefusedWithTheReason(string data, string reason)
    {
        Assert.False(RelpResponse.TryParse(Encoding.UTF8.GetBytes(data), out _, out string? error));
        Assert.Equal(reason, error);
    }
}
