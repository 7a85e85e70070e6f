using System.Text;
using Shared.Relp;

namespace Shared.Tests.Relp;

public class RelpOffersTests
{
    [Fact]
    public void ReadsTheOffersOfLibrelpsOpen()
    {
        var data = "relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog"u8;

        Assert.True(RelpOffers.TryParse(data, out var offers, out _));

        Assert.Equal(0, offers.Version);
        Assert.Equal(["librelp", "1.11.0", "http://librelp.adiscon.com"], offers.Software);
        Assert.Equal(["syslog"], offers.Commands);
        Assert.True(offers.OffersSyslog);
        Assert.Empty(offers.Unknown);
    }

    [Fact]
    public void KeepsUnknownCommandsAndOffersApartFromSyslog()
    {
        var data = "relp_version=1\ncommands=eventlog,syslog\ncompression=zlib\n"u8;

        Assert.True(RelpOffers.TryParse(data, out var offers, out _));

        Assert.Equal(["eventlog", "syslog"], offers.Commands);
        Assert.True(offers.OffersSyslog);
        Assert.Equal(["compression"], offers.Unknown);
    }

    [Fact]
    public void ACommandListWithoutSyslogDoesNotOfferIt()
    {
        Assert.True(RelpOffers.TryParse("relp_version=0\ncommands=eventlog"u8, out var offers, out _));
        Assert.False(offers.OffersSyslog);
    }

    [Theory]
    [InlineData("relp_version=x\ncommands=syslog")]
    [InlineData("relp_version\ncommands=syslog")]
    [InlineData("relp_version=-1")]
    public void ARelpVersionThatIsNotANumberIsAnError(string text)
    {
        Assert.False(RelpOffers.TryParse(Encoding.UTF8.GetBytes(text), out _, out string? error));
        Assert.Contains("relp_version", error);
    }

    [Theory]
    [InlineData("relp_version=0\nrelp_software=kube-syslog,0.1.0,https://github.com/kube-syslog/kube-syslog\ncommands=syslog", true)]
    [InlineData("relp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog", false)]
    [InlineData("relp_version=0\nrelp_software=kube-syslogd,1\ncommands=syslog", false)]
    [InlineData("relp_version=0\ncommands=syslog", false)]
    public void KnowsAKubeSyslogPeerByItsSoftwareName(string text, bool ours)
    {
        Assert.True(RelpOffers.TryParse(Encoding.UTF8.GetBytes(text), out var offers, out _));
        Assert.Equal(ours, offers.IsKubeSyslog);
    }

    [Fact]
    public void WritesOursInLibrelpsOrder()
    {
        string text = Encoding.UTF8.GetString(RelpOffers.Ours.ToBytes());

        Assert.Matches("^relp_version=0\nrelp_software=kube-syslog,[^,\n]+,https://[^\n]+\ncommands=syslog$", text);
    }

    [Fact]
    public void ReadsAnswers()
    {
        Assert.True(RelpResponse.TryParse("200 OK"u8, out var ok, out _));
        Assert.True(ok.IsOk);
        Assert.Equal("OK", ok.Message);

        Assert.True(RelpResponse.TryParse("500 command disabled"u8, out var error, out _));
        Assert.False(error.IsOk);
        Assert.Equal("500 command disabled", error.ToString());

        Assert.True(RelpResponse.TryParse("200 OK\nrelp_version=0\ncommands=syslog"u8, out var open, out _));
        Assert.Equal("relp_version=0\ncommands=syslog", Encoding.UTF8.GetString(open.Body.Span));

        Assert.False(RelpResponse.TryParse(""u8, out _, out _));
        Assert.False(RelpResponse.TryParse("OK"u8, out _, out _));
        Assert.False(RelpResponse.TryParse("200OK"u8, out _, out _));
    }
}
