using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Collector.Configuration;
using Deploy.Tests.Docker;
using Forwarder.Configuration;
using TestSupport;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Compose;

/// <summary>
/// docker-compose.tls.yaml, the switch that runs the compose stack with TLS, checked without an engine (the stack
/// itself runs in tests/containers): layered over docker-compose.yaml and the images' settings as compose layers them,
/// with the certificates deploy/local/make-tls.sh makes in place of the mount, the programs' own readers take every
/// setting; the Forwarder ships RELP over TLS to the Collector's RELP-TLS port with its client certificate, under the
/// name the Collector's certificate carries; the Collector requires client certificates; the new ports are published
/// on loopback only; the containers' user can read the keys.
/// </summary>
public sealed class ComposeTlsTests
{
    private const string Mount = "/etc/kube-syslog/tls";

    private static readonly YamlMappingNode Base = Yaml.LoadDocuments(Repository.File("docker-compose.yaml")).Single();
    private static readonly YamlMappingNode Tls = Yaml.LoadDocuments(Repository.File("docker-compose.tls.yaml")).Single();

    [Fact]
    public void TheOverrideOnlyAddsToTheTwoProgramsAndTheBaseStaysPlain()
    {
        var services = ((YamlMappingNode)Tls.At("services")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value);
        Assert.Equal(["log-collector", "log-forwarder"], services.Order());
        string baseKeys = string.Join(' ', Base.At("services", "log-collector").Scalars("environment").Keys);
        Assert.DoesNotContain("TLS", baseKeys, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("relp://", Base.At("services", "log-forwarder").Scalars("environment")["Forwarder__Targets__0"], StringComparison.Ordinal);
        foreach (string service in (string[])["log-collector", "log-forwarder"])
        {
            Assert.Equal(
                ["./data/tls:" + Mount + ":ro"], Tls.At("services", service).Items("volumes").Select(v => ((YamlScalarNode)v).Value));
        }

        // The header names the step that fills ./data/tls.
        Assert.Contains("deploy/local/make-tls.sh data/tls", Repository.ReadText("docker-compose.tls.yaml"), StringComparison.Ordinal);
        string header = Repository.ReadText("docker-compose.tls.yaml");
        Assert.Contains("-f docker-compose.yaml -f docker-compose.tls.yaml", header, StringComparison.Ordinal);
    }

    [PeerFact("openssl")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task WithMakeTlsCertificatesTheForwarderShipsRelpOverTlsToACollectorThatRequiresClientCertificates()
    {
        using var dir = TempDirectory.Create();
        string certificates = dir.Combine("tls");
        var made = await ProcessRunner.RunAsync("bash", [Repository.File("deploy/local/make-tls.sh"), certificates], TimeSpan.FromMinutes(1));
        Assert.True(made.ExitCode == 0, made.StandardError);

        var collectorEnvironment = Layered("log-collector", "Collector", certificates);
        var forwarderEnvironment = Layered("log-forwarder", "Forwarder", certificates);
        Assert.Empty(Settings.UnknownKeys(collectorEnvironment, CollectorOptions.Section, Settings.CollectorKeys));
        Assert.Empty(Settings.UnknownKeys(forwarderEnvironment, ForwarderOptions.Section, Settings.ForwarderKeys));
        var collector = Settings.ReadCollector(collectorEnvironment);
        var forwarder = Settings.ReadForwarder(forwarderEnvironment);

        Assert.Equal(TlsClientAuth.CertValid, collector.ClientAuthInEffect());
        Assert.NotNull(collector.Tls);
        Assert.NotNull(collector.Https);
        var target = forwarder.Targets.Single();
        Assert.Equal(("log-collector", collector.RelpTls!.Port, Shared.Transport.SyslogTransportProtocol.Relp, true),
            (target.Host, target.Port, target.Protocol, target.Tls));

        // The Forwarder checks the target's host name; the Collector's certificate carries it, and the Forwarder's
        // certificate chains to the CA the Collector requires.
        var server = X509Certificate2.CreateFromPem(File.ReadAllText(collector.TlsCert!));
        Assert.True(server.MatchesHostname(target.Host), server.Subject);
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(collector.TlsClientCa!));
        var client = X509Certificate2.CreateFromPem(File.ReadAllText(forwarder.TlsCert!));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(client), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        // The containers run as 1654, not as the user who made the files.
        Assert.Equal("1654:1654", Dockerfile.Load("Collector").User);
        foreach (string key in (string[])[collector.TlsKey!, forwarder.TlsKey!])
        {
            Assert.True(File.GetUnixFileMode(key).HasFlag(UnixFileMode.OtherRead), key);
        }

        string P(int port) => port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(
            [
                $"127.0.0.1:{P(collector.Tls.Port)}:{P(collector.Tls.Port)}/tcp",
                $"127.0.0.1:{P(collector.RelpTls.Port)}:{P(collector.RelpTls.Port)}/tcp",
                $"127.0.0.1:{P(collector.Https.Port)}:{P(collector.Https.Port)}/tcp",
            ],
            Tls.At("services", "log-collector").Items("ports").Select(p => ((YamlScalarNode)p).Value));
    }

    /// <summary>
    /// The image's environment, then docker-compose.yaml's, then the override's (compose merges the maps in that
    /// order); paths under the mount point are the files in <paramref name="certificates"/>.
    /// </summary>
    private static Dictionary<string, string> Layered(string service, string component, string certificates)
    {
        var environment = new Dictionary<string, string>(Dockerfile.Load(component).Environment);
        foreach (var layer in new[] { Base, Tls })
        {
            foreach (var (key, value) in layer.At("services", service).Scalars("environment"))
            {
                environment[key] = value.StartsWith(Mount + "/", StringComparison.Ordinal) ? certificates + value[Mount.Length..] : value;
            }
        }

        return environment;
    }
}
