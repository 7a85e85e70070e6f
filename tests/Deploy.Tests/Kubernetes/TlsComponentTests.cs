using Collector.Configuration;
using Forwarder.Configuration;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The tls component (RELP over TLS from the Forwarders, client certificates required) with the cert-manager
/// component that issues its Secrets: the settings, mounts, ports and certificates fit together.
/// </summary>
public sealed class TlsComponentTests
{
    [KubectlFact]
    public async Task TheCollectorTakesRelpOverTlsOnlyWithAClientCertificateOfTheIssuedCa()
    {
        var rendered = await Rendered.WithComponentsAsync("tls", "cert-manager");
        var environment = rendered.Environment("Deployment", "log-collector");
        Assert.Empty(Settings.UnknownKeys(environment, CollectorOptions.Section, Settings.CollectorKeys));
        Assert.Equal("certvalid", environment["Collector__TlsClientAuth"]);

        var server = rendered.SecretFileAt("Deployment", "log-collector", environment["Collector__TlsCert"]);
        Assert.Equal((server.Secret, "tls.key"), rendered.SecretFileAt("Deployment", "log-collector", environment["Collector__TlsKey"]));
        Assert.Equal("tls.crt", server.Key);
        var clientCa = rendered.SecretFileAt("Deployment", "log-collector", environment["Collector__TlsClientCa"]);
        Assert.Equal("ca.crt", clientCa.Key);
        var certificate = CertificateFor(rendered, server.Secret);
        Assert.Contains("server auth", Scalars(certificate.Items("spec", "usages")));

        // The listeners are container ports and Service ports of the same names.
        foreach (var (key, port) in new[] { ("Collector__Tls", "syslog-tls"), ("Collector__RelpTls", "relp-tls") })
        {
            string listenerPort = environment[key].Split(':')[^1];
            var containerPort = rendered.Container("Deployment", "log-collector").Items("ports").Single(p => p.Text("name") == port);
            Assert.Equal(listenerPort, containerPort.Required("containerPort"));
            Assert.Contains(rendered.Single("Service", "log-collector").Items("spec", "ports"), p => p.Text("targetPort") == port);
        }
    }

    [KubectlFact]
    public async Task TheForwarderShipsToTheServicesRelpTlsPortWithTheClientCertificateAndTheNameTheServerCertificateCarries()
    {
        var rendered = await Rendered.WithComponentsAsync("tls", "cert-manager");
        var environment = rendered.Environment("DaemonSet", "log-forwarder");
        Assert.Empty(Settings.UnknownKeys(environment, ForwarderOptions.Section, Settings.ForwarderKeys));
        var target = TargetUri.Parse(environment["Forwarder__Targets__0"]);
        Assert.Equal(Shared.Transport.SyslogTransportProtocol.Relp, target.Protocol);
        Assert.True(target.Tls);

        var servicePort = rendered.Single("Service", "log-collector").Items("spec", "ports")
            .Single(p => p.Text("port") == target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("relp-tls", servicePort.Required("targetPort"));
        Assert.Equal("log-collector", target.Host);

        var client = rendered.SecretFileAt("DaemonSet", "log-forwarder", environment["Forwarder__TlsCert"]);
        Assert.Equal((client.Secret, "tls.key"), rendered.SecretFileAt("DaemonSet", "log-forwarder", environment["Forwarder__TlsKey"]));
        Assert.Equal((client.Secret, "ca.crt"), rendered.SecretFileAt("DaemonSet", "log-forwarder", environment["Forwarder__TlsCa"]));
        Assert.Contains("client auth", Scalars(CertificateFor(rendered, client.Secret).Items("spec", "usages")));

        // Without --tls-server-name the Forwarder checks the target's host: the server certificate must carry it.
        Assert.False(environment.ContainsKey("Forwarder__TlsServerName"));
        var server = rendered.SecretFileAt("Deployment", "log-collector", rendered.Environment("Deployment", "log-collector")["Collector__TlsCert"]);
        Assert.Contains(target.Host, Scalars(CertificateFor(rendered, server.Secret).Items("spec", "dnsNames")));
    }

    [KubectlFact]
    public async Task BothCertificatesComeFromOnePrivateCaThatASelfSignedIssuerMade()
    {
        var rendered = await Rendered.WithComponentsAsync("tls", "cert-manager");
        var certificates = rendered.Objects.Where(o => o.Text("kind") == "Certificate").ToList();
        string Issuer(YamlNode certificate) => certificate.Required("spec", "issuerRef", "name");
        var leaves = certificates.Where(c => c.Text("spec", "isCA") != "true").ToList();
        Assert.Equal(["log-collector-tls", "log-forwarder-tls"], leaves.Select(c => c.Required("spec", "secretName")).Order());
        var caIssuer = rendered.Single("Issuer", Assert.Single(leaves.Select(Issuer).Distinct()));
        var ca = certificates.Single(c => c.Text("spec", "secretName") == caIssuer.Required("spec", "ca", "secretName"));
        Assert.Equal("true", ca.Text("spec", "isCA"));
        Assert.NotNull(rendered.Single("Issuer", Issuer(ca)).At("spec", "selfSigned"));
        Assert.All(certificates, c => Assert.Equal("Issuer", c.Required("spec", "issuerRef", "kind")));
        Assert.All(certificates, c => Assert.Equal("kube-syslog", c.Text("metadata", "namespace")));
        // Every Secret the tls component mounts is one cert-manager issues, with the keys it writes.
        foreach (var (kind, name) in new[] { ("Deployment", "log-collector"), ("DaemonSet", "log-forwarder") })
        {
            var volumes = rendered.Single(kind, name).At("spec", "template", "spec")!.Items("volumes");
            foreach (var volume in volumes.Where(v => v.At("secret") is not null))
            {
                Assert.Contains(volume.Required("secret", "secretName"), leaves.Select(c => c.Required("spec", "secretName")));
            }
        }
    }

    [KubectlFact]
    public async Task WithoutTheComponentsNothingSpeaksTlsAndNoCertificateIsNeeded()
    {
        var rendered = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        Assert.DoesNotContain(rendered, o => o.Text("kind") is "Certificate" or "Issuer");
        Assert.DoesNotContain(Manifests.Collector.Environment.Keys, k => k.StartsWith("Collector__Tls", StringComparison.Ordinal));
        Assert.StartsWith("relp://", Manifests.Forwarder.Environment["Forwarder__Targets__0"], StringComparison.Ordinal);
    }

    private static YamlMappingNode CertificateFor(Rendered rendered, string secret) =>
        rendered.Objects.SingleOrDefault(o => o.Text("kind") == "Certificate" && o.Text("spec", "secretName") == secret)
        ?? throw new Xunit.Sdk.XunitException($"no Certificate issues the Secret {secret}");

    private static IEnumerable<string?> Scalars(IEnumerable<YamlNode> nodes) => nodes.Select(n => ((YamlScalarNode)n).Value);
}
