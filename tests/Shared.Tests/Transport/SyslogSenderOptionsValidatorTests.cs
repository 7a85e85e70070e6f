using Shared.Framing;
using Shared.Transport;

namespace Shared.Tests.Transport;

public sealed class SyslogSenderOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsWithAHostAreValid()
    {
        Assert.Empty(SyslogSenderOptionsValidator.Validate(new SyslogSenderOptions { Host = "collector.logging.svc" }));
    }

    [Theory]
    [InlineData("Port", 70000, "Port must be 1-65535, was 70000")]
    [InlineData("Port", 0, "Port must be 1-65535, was 0")]
    [InlineData("MaxDatagramSize", 479, "MaxDatagramSize must be 480-65507, was 479")]
    [InlineData("MaxDatagramSize", 65508, "MaxDatagramSize must be 480-65507, was 65508")]
    [InlineData("SendBufferSize", 0, "SendBufferSize must be positive when set, was 0")]
    [InlineData("MaxRetryAttempts", -1, "MaxRetryAttempts must be 0 or more, was -1")]
    [InlineData("Protocol", 7, "Protocol must be Tcp, Udp or Relp, was 7")]
    [InlineData("Framing", 9, "Framing must be OctetCounting or LineFeed, was 9")]
    public void AnOutOfRangeNumberIsReportedWithItsKeyAndValue(string key, int value, string expected)
    {
        var options = new SyslogSenderOptions { Host = "127.0.0.1" };
        switch (key)
        {
            case "Port": options.Port = value; break;
            case "MaxDatagramSize": options.MaxDatagramSize = value; break;
            case "SendBufferSize": options.SendBufferSize = value; break;
            case "MaxRetryAttempts": options.MaxRetryAttempts = value; break;
            case "Protocol": options.Protocol = (SyslogTransportProtocol)value; break;
            default: options.Framing = (SyslogFraming)value; break;
        }

        Assert.Equal([expected], SyslogSenderOptionsValidator.Validate(options));
    }

    [Theory]
    [InlineData("", "Host must be a DNS name or an IP address, was ''")]
    [InlineData("two words", "Host must be a DNS name or an IP address, was 'two words'")]
    public void AHostThatIsNotANameOrAddressIsReported(string host, string expected)
    {
        Assert.Equal([expected], SyslogSenderOptionsValidator.Validate(new SyslogSenderOptions { Host = host }));
    }

    [Fact]
    public void DelaysAreCheckedAgainstZeroAndEachOther()
    {
        var options = new SyslogSenderOptions
        {
            Host = "::1",
            ConnectTimeout = TimeSpan.Zero,
            ReconnectDelay = TimeSpan.FromSeconds(2),
            MaxReconnectDelay = TimeSpan.FromSeconds(1),
        };

        Assert.Equal(
            [
                "ConnectTimeout must be greater than 00:00:00, was 00:00:00",
                "MaxReconnectDelay must be at least ReconnectDelay (00:00:02) and at most 1.00:00:00, was 00:00:01",
            ],
            SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void ANegativeReconnectDelayIsReported()
    {
        var options = new SyslogSenderOptions { Host = "localhost", ReconnectDelay = TimeSpan.FromMilliseconds(-1) };

        Assert.Equal(
            ["ReconnectDelay must be greater than 00:00:00 and at most 1.00:00:00, was -00:00:00.0010000"],
            SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void TheKeyPrefixNamesTheConfigurationPathAndEveryProblemIsListed()
    {
        var options = new SyslogSenderOptions { Host = "", Port = 70000 };

        var error = Assert.Throws<ArgumentException>(() => SyslogSender.Create(options));
        Assert.StartsWith(
            "Host must be a DNS name or an IP address, was ''" + Environment.NewLine
                + "Port must be 1-65535, was 70000",
            error.Message,
            StringComparison.Ordinal);
        Assert.Equal(
            ["Forwarder:Target:Host must be a DNS name or an IP address, was ''", "Forwarder:Target:Port must be 1-65535, was 70000"],
            SyslogSenderOptionsValidator.Validate(options, "Forwarder:Target:"));
    }

    [Fact]
    public void TheFactoryPicksTheSenderForTheProtocol()
    {
        Assert.IsType<TcpSyslogSender>(SyslogSender.Create(new SyslogSenderOptions { Host = "127.0.0.1" }));
        Assert.IsType<UdpSyslogSender>(SyslogSender.Create(new SyslogSenderOptions { Host = "127.0.0.1", Protocol = SyslogTransportProtocol.Udp }));
    }
}
