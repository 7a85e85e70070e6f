using System.Globalization;
using Deploy.Tests.Docker;
using Deploy.Tests.Kubernetes;
using Forwarder.Configuration;
using Forwarder.Discovery;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Compose;

/// <summary>
/// docker-compose.yaml: it parses, builds from the Dockerfiles here, mounts files that exist, publishes on loopback
/// only, and its settings are ones the programs accept. <c>docker compose up</c> itself is not run (no Docker engine).
/// </summary>
public sealed class ComposeTests
{
    private static readonly YamlMappingNode Compose = Yaml.LoadDocuments(Repository.File("docker-compose.yaml")).Single();

    private static YamlNode Service(string name) => Compose.At("services", name) ?? throw new Xunit.Sdk.XunitException($"no service {name}");

    private static IReadOnlyDictionary<string, string> Environment(string service) => Service(service).Scalars("environment");

    private static IEnumerable<(string Source, string Target, bool ReadOnly)> Volumes(string service) =>
        Service(service).Items("volumes").Select(v => ((YamlScalarNode)v).Value!.Split(':')).Select(p => (p[0], p[1], p.Length > 2 && p[2] == "ro"));

    [Fact]
    public void TheServicesAreTheCollectorTheForwarderAndAWriter()
    {
        Assert.Equal(
            ["log-collector", "log-forwarder", "writer"],
            ((YamlMappingNode)Compose.At("services")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value).Order());
    }

    [Theory]
    [InlineData("log-collector", "Collector")]
    [InlineData("log-forwarder", "Forwarder")]
    public void EachProgramIsBuiltFromItsDockerfileAsTheImageTheManifestsUse(string service, string component)
    {
        Assert.Equal(".", Service(service).Text("build", "context"));
        string dockerfile = Service(service).Required("build", "dockerfile");
        Assert.Equal(Dockerfile.Load(component).RelativePath, dockerfile);
        Assert.True(File.Exists(Repository.File(dockerfile)), dockerfile);
        var workload = component == "Collector" ? Manifests.Collector : Manifests.Forwarder;
        // The manifests' placeholder registry (registry.invalid, until `kustomize edit set image`) aside.
        string image = Manifests.RenderedImage(workload.Image).Replace("registry.invalid/", string.Empty, StringComparison.Ordinal);
        Assert.Equal(image, Service(service).Text("image"));
    }

    [Fact]
    public void EveryPortIsPublishedOnLoopbackOnly()
    {
        var ports = new[] { "log-collector", "log-forwarder", "writer" }
            .SelectMany(s => Service(s).Items("ports"))
            .Select(p => ((YamlScalarNode)p).Value!)
            .ToList();
        Assert.NotEmpty(ports);
        Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
    }

    [Fact]
    public void ThePublishedPortsAreTheCollectorsAndTheForwardersListeners()
    {
        var collector = Settings.ReadCollector(Dockerfile.Load("Collector").Environment);
        var forwarder = Settings.ReadForwarder(Dockerfile.Load("Forwarder").Environment);
        int relp = Settings.ReadCollector(Dockerfile.Load("Collector").Environment).Relp!.Port;
        string P(int port) => port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(
            [
                $"127.0.0.1:{P(collector.Tcp!.Port)}:{P(collector.Tcp.Port)}/tcp",
                $"127.0.0.1:{P(collector.Udp!.Port)}:{P(collector.Udp.Port)}/udp",
                $"127.0.0.1:{P(relp)}:{P(relp)}/tcp",
                $"127.0.0.1:{P(collector.Http!.Port)}:{P(collector.Http.Port)}/tcp",
            ],
            Service("log-collector").Items("ports").Select(p => ((YamlScalarNode)p).Value));
        Assert.Equal(
            [$"127.0.0.1:{P(forwarder.Http!.Port)}:{P(forwarder.Http.Port)}/tcp"],
            Service("log-forwarder").Items("ports").Select(p => ((YamlScalarNode)p).Value));
    }

    [Fact]
    public void TheWriterRunsTheLocalStacksDemoWriterFromTheRepository()
    {
        var command = Service("writer").Items("command").Select(c => ((YamlScalarNode)c).Value!).ToList();
        Assert.Equal("bash", command[0]);
        var (source, target, _) = Volumes("writer").Single(v => command[1].StartsWith(v.Target + "/", StringComparison.Ordinal));
        string script = Path.Combine(source, command[1][(target.Length + 1)..]);
        Assert.Equal("./deploy/local/demo-writer.sh", script);
        Assert.True(File.Exists(Repository.File(script)));
        Assert.Contains("demo-writer.sh", Repository.ReadText("deploy/local/run.sh"), StringComparison.Ordinal);
        Assert.Matches(@"^[a-z0-9./-]+:[0-9][0-9.]*$", Service("writer").Required("image")); // pinned, not latest
    }

    [Fact]
    public void EveryBindMountedPathExistsAndEveryNamedVolumeIsDeclared()
    {
        var declared = ((YamlMappingNode)Compose.At("volumes")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        foreach (var (source, _, _) in new[] { "log-collector", "log-forwarder", "writer" }.SelectMany(Volumes))
        {
            if (source.StartsWith('.'))
            {
                Assert.True(Directory.Exists(Repository.File(source)) || File.Exists(Repository.File(source)), source);
            }
            else
            {
                Assert.Contains(source, declared);
            }
        }
    }

    [Fact]
    public void TheForwarderTailsTheWritersTreeAtTheSamePathAndShipsToTheCollectorService()
    {
        // The image's settings overlaid by the service's environment, as the container gets them.
        var environment = new Dictionary<string, string>(Dockerfile.Load("Forwarder").Environment);
        foreach (var (key, value) in Environment("log-forwarder"))
        {
            environment[key] = value;
        }

        Assert.Empty(Settings.UnknownKeys(environment, ForwarderOptions.Section, Settings.ForwarderKeys));
        var options = Settings.ReadForwarder(environment);
        var writerTree = Volumes("writer").Single(v => v.Source == "node");
        var forwarderTree = Volumes("log-forwarder").Single(v => v.Source == "node");
        Assert.Equal(writerTree.Target, forwarderTree.Target); // the writer's symlinks hold absolute paths
        Assert.True(forwarderTree.ReadOnly);
        var writerCommand = Service("writer").Items("command").Select(c => ((YamlScalarNode)c).Value).ToList();
        Assert.Equal(writerTree.Target, writerCommand[2]);
        Assert.All(options.Include, glob => Assert.True(Workload.IsUnder(GlobPattern.Parse(glob).BaseDirectory, forwarderTree.Target), glob));
        Assert.Contains(options.Include, g => g.EndsWith("/var/log/containers/*.log", StringComparison.Ordinal));

        var collector = Settings.ReadCollector(Dockerfile.Load("Collector").Environment);
        var relp = Settings.ReadCollector(Dockerfile.Load("Collector").Environment).Relp!;
        var target = options.Targets.Single();
        Assert.Equal(
            ("log-collector", relp.Port, Shared.Transport.SyslogTransportProtocol.Relp),
            (target.Host, target.Port, target.Protocol));
        Assert.NotNull(collector.Tcp); // syslog over TCP stays for other senders
        Assert.Contains(Volumes("log-forwarder"), v => v.Target == options.State && !v.ReadOnly);
        Assert.Equal("service_healthy", Service("log-forwarder").Text("depends_on", "log-collector", "condition"));
    }

    [Fact]
    public void TheCollectorKeepsItsMessagesInAVolume()
    {
        var options = Settings.ReadCollector(Dockerfile.Load("Collector").Environment);
        Assert.Contains(Volumes("log-collector"), v => v.Target == Path.GetDirectoryName(options.File) && !v.ReadOnly);
    }
}
