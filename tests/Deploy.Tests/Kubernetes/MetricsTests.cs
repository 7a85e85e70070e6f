using System.Net;
using TestSupport;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// Prometheus finds both programs: scrape annotations on the pod templates, and the optional PodMonitor component.
/// </summary>
public sealed class MetricsTests
{
    public static TheoryData<string> Workloads => ["log-forwarder", "log-collector"];

    private static Workload Named(string name) => name == "log-forwarder" ? Manifests.Forwarder : Manifests.Collector;

    [Theory]
    [MemberData(nameof(Workloads))]
    public async Task TheScrapeAnnotationsNameThePortAndPathWhereTheProgramServesItsMetrics(string name)
    {
        var workload = Named(name);
        var annotations = workload.Object.Scalars("spec", "template", "metadata", "annotations");
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal(workload.Port("http").Required("containerPort"), annotations["prometheus.io/port"]);

        using var directory = TempDirectory.Create();
        await using var app = name == "log-forwarder"
            ? await RunningApp.StartForwarderAsync(workload.Environment, directory)
            : await RunningApp.StartCollectorAsync(workload.Environment, directory);
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(app.Http, annotations["prometheus.io/path"]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE kubesyslog_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [KubectlFact]
    public async Task ThePodMonitorComponentSelectsBothProgramsPodsOnTheirHttpPort()
    {
        using var directory = TempDirectory.Create();
        string overlay = directory.Combine("overlay");
        Directory.CreateDirectory(overlay);
        string manifests = Path.GetRelativePath(overlay, Repository.File(Manifests.Directory));
        File.WriteAllText(Path.Combine(overlay, "kustomization.yaml"), $"""
            namespace: kube-syslog
            resources:
              - {manifests}
            components:
              - {manifests}/components/podmonitor
            """);
        var rendered = await Kubectl.KustomizeAsync(overlay);
        var monitor = rendered.Single(o => o.Text("kind") == "PodMonitor");
        Assert.Equal("monitoring.coreos.com/v1", monitor.Text("apiVersion"));
        Assert.Equal("kube-syslog", monitor.Text("metadata", "namespace"));
        var endpoint = monitor.Items("spec", "podMetricsEndpoints").Single();
        Assert.Equal("/metrics", endpoint.Text("path"));
        foreach (string name in new[] { "log-forwarder", "log-collector" })
        {
            var workload = Named(name);
            var labels = workload.Object.Scalars("spec", "template", "metadata", "labels");
            Assert.True(SelectorMatches(monitor.At("spec", "selector")!, labels), $"{name}'s pods are not selected");
            workload.Port(endpoint.Required("port"));
        }

        // Not selected: any other pod of the namespace.
        Assert.False(SelectorMatches(monitor.At("spec", "selector")!, new Dictionary<string, string> { ["app.kubernetes.io/name"] = "other" }));
    }

    [KubectlFact]
    public async Task WithoutTheComponentThereIsNoPodMonitorWhoseDefinitionAClusterMightLack()
    {
        var rendered = await Kubectl.KustomizeAsync(Repository.File(Manifests.Directory));
        Assert.DoesNotContain(rendered, o => o.Text("kind") == "PodMonitor");
    }

    private static bool SelectorMatches(YamlDotNet.RepresentationModel.YamlNode selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Scalars("matchLabels").All(l => labels.TryGetValue(l.Key, out string? v) && v == l.Value)
        && selector.Items("matchExpressions").All(e => e.Required("operator") switch
        {
            "In" => labels.TryGetValue(e.Required("key"), out string? v)
                && e.Items("values").Any(x => ((YamlDotNet.RepresentationModel.YamlScalarNode)x).Value == v),
            string other => throw new Xunit.Sdk.XunitException($"selector operator {other} is not modelled here"),
        });
}
