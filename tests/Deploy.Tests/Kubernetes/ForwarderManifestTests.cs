using System.Net;
using Forwarder.Configuration;
using Forwarder.Discovery;
using TestSupport;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The DaemonSet log-forwarder agrees with the Forwarder: settings, ports, probes, mounts, downward API.
/// </summary>
public sealed class ForwarderManifestTests
{
    private static Workload DaemonSet => Manifests.Forwarder;

    [Fact]
    public void EverySettingIsAForwarderKeyAndPassesItsValidation()
    {
        Assert.Empty(Settings.UnknownKeys(DaemonSet.Environment, ForwarderOptions.Section, Settings.ForwarderKeys));
        Settings.ReadForwarder(DaemonSet.Environment);
    }

    [Fact]
    public void HttpListensOnEveryAddressOnTheContainerPortTheProbesUse()
    {
        var options = Settings.ReadForwarder(DaemonSet.Environment);
        Assert.Equal(IPAddress.Any, options.Http!.Address);
        Assert.Equal(options.Http.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), DaemonSet.Port("http").Required("containerPort"));
        Assert.Equal(3, DaemonSet.Probes.Count());
        Assert.All(DaemonSet.Probes, p => Assert.Equal("http", p.Required("httpGet", "port")));
        Assert.Equal("/healthz", DaemonSet.Container.Required("startupProbe", "httpGet", "path"));
        Assert.Equal("/healthz", DaemonSet.Container.Required("livenessProbe", "httpGet", "path"));
        // Readiness also says when shipping has stalled; liveness must not, or a down Collector restarts every pod.
        Assert.Equal("/readyz", DaemonSet.Container.Required("readinessProbe", "httpGet", "path"));
    }

    [Fact]
    public async Task TheProbePathsAnswerOkFromTheForwarderStartedWithTheseSettings()
    {
        using var directory = TempDirectory.Create();
        await using var forwarder = await RunningApp.StartForwarderAsync(DaemonSet.Environment, directory);
        foreach (string path in DaemonSet.Probes.Select(p => p.Required("httpGet", "path")).Distinct())
        {
            Assert.Equal(HttpStatusCode.OK, await forwarder.GetUntilOkAsync(path));
        }

        // SIGTERM to SIGKILL must cover the Forwarder's own shutdown (drain the queue, save offsets).
        int grace = int.Parse(
            DaemonSet.PodSpec.Required("terminationGracePeriodSeconds"),
            System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(grace > forwarder.ShutdownTimeout.TotalSeconds);
    }

    [Fact]
    public void CheckpointsAreOnAWritableHostPathAtTheStateDirectory()
    {
        var options = Settings.ReadForwarder(DaemonSet.Environment);
        var (mount, volume) = DaemonSet.MountHolding(options.State) ?? throw new Xunit.Sdk.XunitException($"nothing mounted at {options.State}");
        Assert.Equal(options.State, mount.Required("mountPath"));
        Assert.NotEqual("true", mount.Text("readOnly"));
        Assert.Equal(options.State, volume.Required("hostPath", "path"));
        Assert.Equal("DirectoryOrCreate", volume.Required("hostPath", "type"));
    }

    [Fact]
    public void EveryIncludedFileAndWhereItsSymlinksLeadIsOnAReadOnlyHostPathAtTheNodesOwnPath()
    {
        var options = Settings.ReadForwarder(DaemonSet.Environment);
        // /var/log/containers/*.log -> /var/log/pods/…/0.log (containerd, CRI-O) ->
        // /var/lib/docker/containers/… (docker).
        var places = options.Include.Select(g => GlobPattern.Parse(g).BaseDirectory).Append("/var/log/pods").Append("/var/lib/docker/containers");
        foreach (string place in places)
        {
            var (mount, volume) = DaemonSet.MountHolding(place) ?? throw new Xunit.Sdk.XunitException($"nothing mounted at or above {place}");
            Assert.Equal("true", mount.Text("readOnly"));
            Assert.Equal(mount.Required("mountPath"), volume.Required("hostPath", "path"));
        }
    }

    [Fact]
    public void ItShipsToTheCollectorServiceOnItsRelpPort()
    {
        var target = Settings.ReadForwarder(DaemonSet.Environment).Targets.Single();
        var service = Manifests.Find("Service", "log-collector");
        Assert.Equal(service.Required("metadata", "name"), target.Host);
        string targetPort = target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var port = service.Items("spec", "ports")
            .Single(p => p.Text("port") == targetPort && p.Text("protocol") == "TCP");
        Assert.Equal(Shared.Transport.SyslogTransportProtocol.Relp, target.Protocol);
        Assert.Equal("relp", port.Required("targetPort"));
    }

    [Fact]
    public void TheDownwardApiGivesTheVariablesTheForwarderReads()
    {
        var from = DaemonSet.EnvironmentFrom;
        Assert.Equal("spec.nodeName", from["NODE_NAME"].Required("fieldRef", "fieldPath"));
        Assert.Equal("metadata.name", from["POD_NAME"].Required("fieldRef", "fieldPath"));
        var files = Directory.GetFiles(Repository.File("Forwarder"), "*.cs", SearchOption.AllDirectories);
        string sources = string.Join('\n', files.Select(File.ReadAllText));
        Assert.All(from.Keys, name => Assert.Contains($"GetEnvironmentVariable(\"{name}\")", sources, StringComparison.Ordinal));
    }

    [Fact]
    public void KubeSyslogsOwnPodsAreNotShipped()
    {
        var excluded = Settings.ReadForwarder(DaemonSet.Environment).ExcludePods.Select(p => GlobPattern.Parse("/" + p)).ToList();
        // A DaemonSet's pods are NAME-xxxxx, a Deployment's NAME-<hash>-xxxxx.
        Assert.Contains(excluded, p => p.IsMatch($"/{DaemonSet.Name}-x2k4p"));
        Assert.Contains(excluded, p => p.IsMatch($"/{Manifests.Collector.Name}-7d9f8c6b5d-x2k4p"));
    }

    [Fact]
    public void ItRunsOnEveryNodeAsCriticalWithBoundedResourcesAndMinimalPrivileges()
    {
        var pod = DaemonSet.PodSpec;
        Assert.Contains(pod.Items("tolerations"), t => t.Text("operator") == "Exists" && t.Text("key") is null && t.Text("effect") is null);
        Assert.Equal("system-node-critical", pod.Text("priorityClassName"));
        Assert.Null(pod.Text("hostNetwork"));
        foreach (string kind in new[] { "requests", "limits" })
        {
            Assert.NotNull(DaemonSet.Container.Text("resources", kind, "cpu"));
            Assert.NotNull(DaemonSet.Container.Text("resources", kind, "memory"));
        }

        var security = DaemonSet.Container.At("securityContext");
        Assert.Equal("false", security.Text("allowPrivilegeEscalation"));
        Assert.Equal("true", security.Text("readOnlyRootFilesystem"));
        Assert.Null(security.Text("privileged"));
        Assert.Equal(["ALL"], security.Items("capabilities", "drop").Select(c => ((YamlDotNet.RepresentationModel.YamlScalarNode)c).Value));
        // Root reads root's 0640 logs as their owner; DAC_READ_SEARCH would re-enable open_by_handle_at ("Shocker").
        Assert.Null(security.At("capabilities", "add"));
        Assert.Equal("RuntimeDefault", pod.Text("securityContext", "seccompProfile", "type"));
    }
}
