using System.Globalization;
using System.Net;
using Collector.Configuration;
using TestSupport;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The Deployment, Service and claim log-collector agree with the Collector: settings, ports, probes, storage.
/// </summary>
public sealed class CollectorManifestTests
{
    private static Workload Deployment => Manifests.Collector;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void EverySettingIsACollectorKeyAndPassesItsValidation()
    {
        Assert.Empty(Settings.UnknownKeys(Deployment.Environment, CollectorOptions.Section, Settings.CollectorKeys));
        Settings.ReadCollector(Deployment.Environment);
    }

    [Fact]
    public void TheServiceOffersGravitysPortsAndLeadsToTheCollectorsListeners()
    {
        var options = Settings.ReadCollector(Deployment.Environment);
        var ports = Manifests.Find("Service", "log-collector").Items("spec", "ports").ToList();
        Assert.Equal(Deployment.Object.Required("spec", "selector", "matchLabels", "app.kubernetes.io/name"),
            Manifests.Find("Service", "log-collector").Required("spec", "selector", "app.kubernetes.io/name"));
        var listeners = new[]
        {
            ("514", "TCP", options.Tcp),
            ("514", "UDP", options.Udp),
            ("2514", "TCP", options.Relp),
            ("8083", "TCP", options.Http),
        };
        foreach (var (port, protocol, listener) in listeners)
        {
            var servicePort = ports.Single(p => p.Text("port") == port && p.Text("protocol") == protocol);
            var containerPort = Deployment.Port(servicePort.Required("targetPort"));
            Assert.Equal(protocol, containerPort.Required("protocol"));
            Assert.Equal(IPAddress.Any, listener!.Address);
            Assert.Equal(Number(listener.Port), containerPort.Required("containerPort"));
        }

        var relp = Settings.ReadCollector(Deployment.Environment).Relp!;
        var relpPort = Deployment.Port(ports.Single(p => p.Text("port") == "2514" && p.Text("protocol") == "TCP").Required("targetPort"));
        Assert.Equal("TCP", relpPort.Required("protocol"));
        Assert.Equal(IPAddress.Any, relp.Address);
        Assert.Equal(Number(relp.Port), relpPort.Required("containerPort"));
    }

    [Fact]
    public void ProbesUseTheHttpPortAndTheCollectorsHealthAndReadinessPaths()
    {
        Assert.Equal("/healthz", Deployment.Container.Required("livenessProbe", "httpGet", "path"));
        Assert.Equal("/readyz", Deployment.Container.Required("readinessProbe", "httpGet", "path"));
        Assert.All(Deployment.Probes, p => Assert.Equal("http", p.Required("httpGet", "port")));
    }

    [Fact]
    public async Task TheProbePathsAnswerOkFromTheCollectorStartedWithTheseSettings()
    {
        using var directory = TempDirectory.Create();
        await using var collector = await RunningApp.StartCollectorAsync(Deployment.Environment, directory);
        foreach (string path in Deployment.Probes.Select(p => p.Required("httpGet", "path")).Distinct())
        {
            Assert.Equal(HttpStatusCode.OK, await collector.GetUntilOkAsync(path));
        }

        // SIGTERM to SIGKILL must cover the Collector's own shutdown (everything received is written first).
        int grace = int.Parse(
            Deployment.PodSpec.Required("terminationGracePeriodSeconds"), CultureInfo.InvariantCulture);
        Assert.True(grace > collector.ShutdownTimeout.TotalSeconds);
    }

    [Fact]
    public void TheMessagesFileAndItsRotatedFilesAreOnThePersistentVolumeClaim()
    {
        var options = Settings.ReadCollector(Deployment.Environment);
        Assert.Equal("/var/log/messages", options.File);
        var (mount, volume) = Deployment.MountHolding(options.File) ?? throw new Xunit.Sdk.XunitException($"nothing mounted above {options.File}");
        // Rotated files and the index directory are created next to the file: the whole directory is the volume.
        Assert.Equal(Path.GetDirectoryName(options.File), mount.Required("mountPath"));
        Assert.NotEqual("true", mount.Text("readOnly"));
        var claim = Manifests.Find("PersistentVolumeClaim", volume.Required("persistentVolumeClaim", "claimName"));
        Assert.Equal("ReadWriteOnce", claim.Items("spec", "accessModes").Cast<YamlDotNet.RepresentationModel.YamlScalarNode>().Single().Value);
    }

    [Fact]
    public void TheApiTokenIsRequiredFromASecretUnderTheKeyTheCollectorReads()
    {
        // Required: without it whoever reaches the Service reads every namespace's logs (/v1/download); kubelet does
        // not start the container until the Secret exists. components/open-api is the explicit opt-out.
        var secret = Deployment.EnvironmentFrom["Collector__ApiToken"].At("secretKeyRef");
        Assert.Null(secret.Text("optional"));
        Assert.Equal("log-collector-api-token", secret.Text("name"));
        var withToken = new Dictionary<string, string>(Deployment.Environment) { ["Collector__ApiToken"] = "s3cret" };
        Assert.Equal("s3cret", Settings.ReadCollector(withToken).ApiToken);
        Assert.Null(Settings.ReadCollector(Deployment.Environment).ApiToken);
    }

    [KubectlFact]
    public async Task TheOpenApiComponentMakesTheReadTokenOptionalAndChangesNothingElse()
    {
        var shipped = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        var open = await Rendered.WithComponentsAsync("open-api");
        var env = open.Container("Deployment", "log-collector").Items("env").ToList();
        Assert.Equal("true", env.Single(e => e.Text("name") == "Collector__ApiToken").Text("valueFrom", "secretKeyRef", "optional"));
        var shippedEnv = shipped.Single("Deployment", "log-collector").At("spec", "template", "spec")!
            .Items("containers").Single().Items("env").ToList();
        Assert.Null(shippedEnv.Single(e => e.Text("name") == "Collector__ApiToken").Text("valueFrom", "secretKeyRef", "optional"));
        Assert.Equal(shippedEnv.Select(e => e.Text("name")), env.Select(e => e.Text("name")));
    }

    [Fact]
    public void TheAdminTokenComesFromItsOwnOptionalSecret()
    {
        var secret = Deployment.EnvironmentFrom["Collector__AdminToken"].At("secretKeyRef");
        Assert.Equal("true", secret.Text("optional"));
        Assert.Equal("log-collector-admin-token", secret.Text("name"));
        Assert.Equal("token", secret.Text("key"));
        var withTokens = new Dictionary<string, string>(Deployment.Environment)
        {
            ["Collector__ApiToken"] = "reader",
            ["Collector__AdminToken"] = "admin",
        };
        Assert.Equal("admin", Settings.ReadCollector(withTokens).AdminToken);
    }

    [Fact]
    public void OneReplicaIsReplacedByRecreatingItAndRunsAsTheImagesNonRootUser()
    {
        Assert.Equal("1", Deployment.Object.Text("spec", "replicas"));
        Assert.Equal("Recreate", Deployment.Object.Text("spec", "strategy", "type"));
        var pod = Deployment.PodSpec.At("securityContext");
        Assert.Equal("true", pod.Text("runAsNonRoot"));
        Assert.Equal(Docker.Dockerfile.Load("Collector").User, $"{pod.Required("runAsUser")}:{pod.Required("runAsGroup")}");
        Assert.Equal(pod.Required("runAsGroup"), pod.Text("fsGroup"));
        var container = Deployment.Container.At("securityContext");
        Assert.Equal("false", container.Text("allowPrivilegeEscalation"));
        Assert.Equal("true", container.Text("readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], container.Items("capabilities", "drop").Select(c => ((YamlDotNet.RepresentationModel.YamlScalarNode)c).Value));
        Assert.NotNull(Deployment.Container.Text("resources", "requests", "memory"));
        Assert.NotNull(Deployment.Container.Text("resources", "limits", "memory"));
    }

    [Fact]
    public void TheRelayDirectoryIsTheLogForwardersConfigMapMountedReadOnly()
    {
        var options = Settings.ReadCollector(Deployment.Environment);
        var (mount, volume) = Deployment.MountHolding(options.Relays!) ?? throw new Xunit.Sdk.XunitException($"nothing mounted at {options.Relays}");
        Assert.Equal(options.Relays, mount.Required("mountPath"));
        Assert.Equal("true", mount.Text("readOnly"));
        Assert.Equal("log-forwarders", volume.Required("configMap", "name"));
        Assert.Equal("true", volume.Text("configMap", "optional"));

        // The ConfigMap exists and is empty (no relays until an operator adds one); the commented example an operator
        // uncomments is a valid relay document (a loop over the empty `data: {}` alone would check nothing).
        var configMap = Manifests.Find("ConfigMap", "log-forwarders");
        var data = Assert.IsType<YamlDotNet.RepresentationModel.YamlMappingNode>(configMap.At("data"));
        Assert.Empty(data.Children);
        string example = string.Concat(File.ReadAllLines(Repository.File("deploy/kubernetes/log-forwarders-configmap.yaml"))
            .SkipWhile(l => !l.Contains("# Example", StringComparison.Ordinal)).Skip(1)
            .Where(l => l.StartsWith("  # ", StringComparison.Ordinal))
            .Select(l => l["  # ".Length..] + "\n"));
        string indented = string.Concat(example.Split('\n').Select(l => "  " + l + "\n"));
        var uncommented = Assert.IsType<YamlDotNet.RepresentationModel.YamlMappingNode>(
            Yaml.Parse("data:\n" + indented, "the commented example").Single().At("data"));
        Assert.NotEmpty(uncommented.Children);
        foreach (var document in uncommented.Children.Values)
        {
            string text = ((YamlDotNet.RepresentationModel.YamlScalarNode)document).Value!;
            Collector.Relay.Configuration.RelayDocument.Parse(text, out var errors);
            // Its CA file is on the cluster's mounted secret, not on this machine: every other rule must hold.
            Assert.True(
                errors.All(e => e.EndsWith("' does not exist", StringComparison.Ordinal)
                    && e.StartsWith("spec.tls.ca ", StringComparison.Ordinal)),
                $"the example relay: {string.Join("; ", errors)}\n{text}");
        }

        // Spilled relay queues land on the claim, next to the messages file.
        Assert.Null(options.RelaySpill);
        string spill = Path.Combine(Path.GetDirectoryName(options.File)!, "relay-spill");
        Assert.Equal("/var/log", Deployment.MountHolding(spill)!.Value.Mount.Required("mountPath"));
    }
}
