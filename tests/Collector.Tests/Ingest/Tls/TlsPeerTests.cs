using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Collector.Ingest.Tls;

namespace Collector.Tests.Ingest.Tls;

/// <summary>The identity mapping of --identity-from-cert: the HOSTNAMEs a certificate's node may write.</summary>
public sealed class TlsPeerTests
{
    [Theory]
    [InlineData("node-1.nodes.test", true)]
    [InlineData("NODE-1", true)]
    [InlineData("node-1", true)]
    [InlineData("alias.test", true)]
    [InlineData("alias", true)]
    [InlineData("node-1.nodes", false)]
    [InlineData("node-2", false)]
    [InlineData("nodes.test", false)]
    [InlineData("anything.wild.test", false)]
    [InlineData("CN-name", false)]
    public void AHostNameIsTheNodeWhenItIsASanDnsNameOrItsFirstLabel(string hostName, bool named)
    {
        var peer = TlsPeer.From(Certificate("CN-name", "node-1.nodes.test", "*.wild.test", "alias.test"), "Tls13");
        Assert.Equal("node-1.nodes.test", peer.Name);
        Assert.Equal(["node-1.nodes.test", "alias.test"], peer.Names);
        Assert.Equal(named, peer.IsNamed(Encoding.ASCII.GetBytes(hostName)));
    }

    [Fact]
    public void WithoutSanDnsNamesTheCommonNameIsTheNodeAndIsEscapedForTheMarker()
    {
        var peer = TlsPeer.From(Certificate("node\"]"), "Tls13");
        Assert.Equal("node\"]", peer.Name);
        Assert.True(peer.IsNamed("node\"]"u8));
        Assert.Equal("node\\\"\\]", Encoding.ASCII.GetString(peer.MarkerName.Span));
    }

    private static X509Certificate2 Certificate(string commonName, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (dnsNames.Length > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (string name in dnsNames)
            {
                names.AddDnsName(name);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        var now = TimeProvider.System.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }
}
