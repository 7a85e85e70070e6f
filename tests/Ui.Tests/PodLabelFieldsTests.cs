using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Playwright;
using TestSupport;

namespace Ui.Tests;

/// <summary>
/// The fields panel lists the workload and the pod labels the Forwarder added next to the fixed labels, and clicking a
/// pod label's value narrows the query by it: headless Chromium and Firefox against <see cref="PodLabelFixture"/>.
/// </summary>
public sealed class PodLabelFieldsTests(UiFixture browsers, PodLabelFixture data)
    : IClassFixture<UiFixture>, IClassFixture<PodLabelFixture>
{
    [Theory, InChromium, InFirefox]
    public async Task TheFieldsShowTheWorkloadAndThePodLabelsAndFilterByThem(string browser)
    {
        await using var ui = await UiPage.OpenAsync(await browsers.BrowserAsync(browser), data.Collector.BaseUrl);
        await ui.GotoAsync("{namespace=\"shop\"}");
        Assert.Equal(6, await ui.RowCountAsync());

        // Fixed labels first (workload after container), then the pod labels by name; the pod label app is label_app.
        string[] headings =
        [
            "namespace (1)", "pod (3)", "container (1)", "workload (2)", "host (1)", "app (1)", "severity (1)",
            "app_kubernetes_io_name (2)", "label_app (1)",
        ];
        Assert.Equal(headings, await ui.Page.Locator("[data-testid=fields] h3").AllTextContentsAsync());
        Assert.Equal(
            ["Deployment/payments 3", "Deployment/checkout 2"],
            await ui.Page.EvalOnSelectorAllAsync<string[]>(
                "[data-testid=field-value][data-label=workload]",
                "bs => bs.map(b => `${b.dataset.value} ${b.querySelector('.count').textContent}`)"));

        // Alt+click excludes a workload: the payments lines and the line of the pod without metadata remain.
        await ui.Page.Locator("[data-testid=field-value][data-label=workload][data-value=\"Deployment/checkout\"]")
            .ClickAsync(new LocatorClickOptions { Modifiers = [KeyboardModifier.Alt] });
        await QueryRanAsync(ui, "{namespace=\"shop\", workload!=\"Deployment/checkout\"}");
        Assert.Equal(["plain 1", "payments 3", "payments 2", "payments 1"], await ui.MessagesAsync());

        // A click on a pod label's value selects by it.
        await ui.GotoAsync("{namespace=\"shop\"}");
        await ui.Page.Locator("[data-testid=field-value][data-label=app_kubernetes_io_name][data-value=checkout]").ClickAsync();
        await QueryRanAsync(ui, "{namespace=\"shop\", app_kubernetes_io_name=\"checkout\"}");
        Assert.Equal(["checkout 2", "checkout 1"], await ui.MessagesAsync());
        ui.AssertClean();
    }

    private static async Task QueryRanAsync(UiPage ui, string query)
    {
        Assert.Equal(query, await ui.Page.GetByTestId("query-input").InputValueAsync());
        await ui.Page.WaitForFunctionAsync("q => new URLSearchParams(location.search).get('query') === q", query);
        await ui.SettledAsync();
    }
}

/// <summary>
/// A Collector holding, in namespace <c>shop</c>, three lines of a payments pod and two of a checkout pod with the
/// workload and pod labels the Forwarder adds, and one line of a pod without metadata; newest last.
/// </summary>
public sealed class PodLabelFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = TempDirectory.Create("pod-labels");

    public RunningCollector Collector { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Collector = await RunningCollector.StartAsync(_directory);
        var start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        const string Payments = "[k8s@32473 namespace=\"shop\" pod=\"payments-7d4b9c8f6-x2x9z\" container=\"app\" "
            + "workload=\"Deployment/payments\" l.app.kubernetes.io/name=\"payments\" l.app=\"pay\"]";
        const string Checkout = "[k8s@32473 namespace=\"shop\" pod=\"checkout-5f6d7c8b9-q8w2z\" container=\"app\" "
            + "workload=\"Deployment/checkout\" l.app.kubernetes.io/name=\"checkout\"]";
        var frames = new StringBuilder();
        (string Sd, string Message)[] lines =
        [
            (Payments, "payments 1"), (Checkout, "checkout 1"), (Payments, "payments 2"), (Checkout, "checkout 2"),
            (Payments, "payments 3"), ("[k8s@32473 namespace=\"shop\" pod=\"plain\" container=\"app\"]", "plain 1"),
        ];
        for (int i = 0; i < lines.Length; i++)
        {
            string time = start.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            string body = $"<14>1 {time} node-1 app - stdout {lines[i].Sd} {lines[i].Message}";
            frames.Append(CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetByteCount(body)} {body}");
        }

        using (var client = new TcpClient())
        {
            await client.ConnectAsync(Collector.Tcp);
            await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(frames.ToString()));
        }

        await Collector.WaitForLinesAsync(lines.Length);
    }

    public async Task DisposeAsync()
    {
        await Collector.DisposeAsync();
        _directory.Dispose();
    }
}
