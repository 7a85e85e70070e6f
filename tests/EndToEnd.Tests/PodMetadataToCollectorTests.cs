using System.Text.Json;
using TestSupport;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// Pod metadata end to end: the stand-in API server (<see cref="FakeKubeApiServer"/>, not a real cluster) tells the
/// real Forwarder process about two Deployments' pods; the real Collector process stores their lines and finds them by
/// workload and by pod label, and lists both labels.
/// </summary>
public sealed class PodMetadataToCollectorTests
{
    private const int Lines = 60;

    [Fact]
    public async Task LinesAreFoundInTheCollectorByTheirPodsWorkloadAndLabels()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        await using var server = await FakeKubeApiServer.StartAsync();
        string token = dir.Combine("token");
        await File.WriteAllTextAsync(token, "the-token\n");
        server.Token = "the-token";
        var payments = tree.AddContainer("shop", "payments-7d4b9c8f6-x2x9z", "app", RuntimeFormat.Cri);
        server.Add(KubePods.OfDeployment("shop", payments.Pod, payments.Uid, ForwarderProcess.Node, "payments", "7d4b9c8f6",
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "payments", ["app"] = "pay" }));
        var checkout = tree.AddContainer("shop", "checkout-5f6d7c8b9-q8w2z", "app", RuntimeFormat.Docker);
        server.Add(KubePods.OfDeployment("shop", checkout.Pod, checkout.Uid, ForwarderProcess.Node, "checkout", "5f6d7c8b9",
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "checkout" }));

        await using var collector = await CollectorProcess.StartCommandAsync("dotnet", [Binaries.CollectorDll], dir.Combine("messages"));
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob,
            [$"tcp://{collector.Tcp}"],
            dir.Combine("state"),
            "--metadata-source", "apiserver", "--kube-url", server.Url.ToString(), "--kube-token-file", token, "--multiline", "off");
        // Until the first list is in, the Forwarder counts the API server as unavailable and ships lines at once
        // without metadata (docs/kubernetes-metadata.md, Waiting): the lines are written once it has the pods.
        await Wait.UntilAsync(
            () => forwarder.MetricAsync("kubesyslog_forwarder_metadata_available").GetAwaiter().GetResult() == 1,
            "the Forwarder's first list of pods",
            TimeSpan.FromSeconds(30));
        var paymentLines = Enumerable.Range(0, Lines).Select(i => $"payment {i:D3} charged").ToList();
        var checkoutLines = Enumerable.Range(0, Lines).Select(i => $"checkout {i:D3} basket").ToList();
        for (int i = 0; i < Lines; i++)
        {
            payments.Append(paymentLines[i]);
            checkout.Append(checkoutLines[i]);
        }

        try
        {
            await Wait.UntilAsync(
                () => collector.ReadLines().Length >= 2 * Lines, $"{2 * Lines} lines in the messages file", TimeSpan.FromSeconds(60));
            await Wait.UntilQuietAsync(() => collector.ReadLines().Length, TimeSpan.FromSeconds(1), "the messages file");
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}\nForwarder said:\n{forwarder.Output}\nCollector said:\n{collector.Output}");
        }

        Assert.Equal(2 * Lines, collector.ReadLines().Length);
        var found = await MessagesAsync(collector, "{workload=\"Deployment/payments\"}");
        Assert.True(paymentLines.SequenceEqual(found), $"{found.Count} lines by workload; the first stored: {collector.ReadLines()[0]}");
        Assert.Equal(checkoutLines, await MessagesAsync(collector, "{app_kubernetes_io_name=\"checkout\"}"));
        Assert.Equal(paymentLines, await MessagesAsync(collector, "{label_app=\"pay\", pod=\"payments-7d4b9c8f6-x2x9z\"}"));
        Assert.Equal(["Deployment/checkout", "Deployment/payments"], await DataAsync(collector, "api/v1/label/workload/values"));
        Assert.Equal(["checkout", "payments"], await DataAsync(collector, "loki/api/v1/label/app_kubernetes_io_name/values"));
    }

    private static async Task<List<string>> MessagesAsync(CollectorProcess collector, string query)
    {
        using var json = await GetAsync(
            collector, $"api/v1/query_range?query={Uri.EscapeDataString(query)}&limit=5000&direction=forward&{Range}");
        return [.. json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .SelectMany(s => s.GetProperty("values").EnumerateArray())
            .OrderBy(v => v[0].GetString(), StringComparer.Ordinal)
            .Select(v => v[2].GetProperty("message").GetString()!)];
    }

    private static async Task<string[]> DataAsync(CollectorProcess collector, string path)
    {
        using var json = await GetAsync(collector, $"{path}?{Range}");
        return [.. json.RootElement.GetProperty("data").EnumerateArray().Select(v => v.GetString()!)];
    }

    // The runtime's times are fixed on 2026-11-22 (ContainerLog): the default range (the last hour) would miss them.
    private static string Range => "start=2026-11-22T00:00:00Z&end=2026-11-23T00:00:00Z";

    private static async Task<JsonDocument> GetAsync(CollectorProcess collector, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri(collector.Http, path));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }
}
