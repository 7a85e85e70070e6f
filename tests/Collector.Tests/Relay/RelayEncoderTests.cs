using System.Buffers;
using System.Text;
using Collector.Relay;
using Collector.Relay.Configuration;
using Collector.Storage;
using Shared.Syslog;

namespace Collector.Tests.Relay;

public sealed class RelayEncoderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static string Encode(RelayFormat format, string frame)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(frame);
        var status = SyslogParser.TryParse(bytes, Now, out var header, out var error);
        var context = new FrameContext("10.0.0.7"u8.ToArray(), Now);
        var passedError = status == OperationStatus.Done ? default : error;
        var encoded = RelayEncoder.Encode(format, bytes, header, passedError, context, new ArrayBufferWriter<byte>());
        return Encoding.UTF8.GetString(encoded);
    }

    private const string Container =
        """<14>1 2026-11-23T09:59:58.123456Z node-1 web - stdout """ +
        """[k8s@32473 namespace="shop" pod="web-7d9f" container="web" container_id="abc"] GET / 200""";

    [Fact]
    public void AnRfc5424FrameIsRelayedByteForByte()
    {
        Assert.Equal(Container, Encode(RelayFormat.Rfc5424, Container));
    }

    [Fact]
    public void AnRfc3164FrameBecomesRfc5424FromItsHeader()
    {
        string relayed = Encode(RelayFormat.Rfc5424, "<34>Nov 23 09:58:01 mymachine su[123]: 'su root' failed");

        Assert.Equal("<34>1 2026-11-23T09:58:01Z mymachine su 123 - - 'su root' failed", relayed);
        Assert.Equal(OperationStatus.Done, SyslogParser.TryParse(Encoding.UTF8.GetBytes(relayed), Now, out var header, out _));
        Assert.Equal(SyslogFormat.Rfc5424, header.Format);
    }

    [Fact]
    public void Rfc3164KeepsTheWholeKubernetesIdentityInTheTag()
    {
        string relayed = Encode(RelayFormat.Rfc3164, Container.Replace("node-1 web - stdout", "node-1 web 42 stdout", StringComparison.Ordinal));

        Assert.Equal("<14>Nov 23 09:59:58 node-1 shop/web-7d9f/web[42]: GET / 200", relayed);
    }

    [Fact]
    public void Rfc3164UsesTheAppNameWithoutAPod()
    {
        Assert.Equal("<13>Nov 23 09:59:00 host app: hello", Encode(RelayFormat.Rfc3164, "<13>1 2026-11-23T09:59:00Z host app - - - hello"));
        Assert.Equal("<13>Nov 23 09:59:00 host -:", Encode(RelayFormat.Rfc3164, "<13>1 2026-11-23T09:59:00Z host - - - -"));
    }

    [Fact]
    public void AnUnparsableFrameTravelsWholeAsTheMessageOfThePeer()
    {
        const string Garbage = "<13>1 yesterday host app - - - bad timestamp";
        string relayed = Encode(RelayFormat.Rfc5424, Garbage);

        const string Prefix = "<13>1 2026-11-23T10:00:00.000000Z 10.0.0.7 - - - [kube-syslog@32473 unparsed=\"";
        Assert.True(relayed.StartsWith(Prefix, StringComparison.Ordinal), relayed);
        Assert.EndsWith("\"] " + Garbage, relayed, StringComparison.Ordinal);
        Assert.Equal("<13>Nov 23 10:00:00 10.0.0.7 kube-syslog-unparsed: " + Garbage, Encode(RelayFormat.Rfc3164, Garbage));
    }
}
