using Microsoft.Playwright;

namespace Ui.Tests;

/// <summary>
/// The query bar takes the LogQL the Collector supports: a pipeline's output lines are the rows, the fields its
/// parsers extracted are in the detail view and the fields panel, a metric query shows its series, and a bad query
/// shows its error without breaking the page. Headless Chromium and Firefox against <see cref="LogQlFixture"/>.
/// </summary>
public sealed class LogQlViewTests(UiFixture browsers, LogQlFixture data) : IClassFixture<UiFixture>, IClassFixture<LogQlFixture>
{
    private const float Short = 5_000;
    private const string ApiJson = $"{{namespace=\"shop\", pod=\"{LogQlFixture.ApiPod}\"}} | json";

    private static readonly int[] Errors = [.. Enumerable.Range(0, LogQlFixture.JsonCount).Where(LogQlFixture.IsError).Reverse()];

    [Theory, InChromium, InFirefox]
    public async Task APipelineQueryShowsItsOutputLines(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{namespace=\"shop\"} | json | level=\"error\" | line_format \"{{.msg}} ({{.status}})\"");

        Assert.Equal(Errors.Select(i => $"{LogQlFixture.Msg(i)} (500)"), await ui.MessagesAsync());
        Assert.True(await ui.Page.GetByTestId("error").IsHiddenAsync());
        Assert.StartsWith($"{Errors.Length} lines", await ui.Page.GetByTestId("status").TextContentAsync(), StringComparison.Ordinal);

        // The histogram counts the same lines: the volume route runs the pipeline too.
        await ui.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=histogram] svg')", null,
            new PageWaitForFunctionOptions { Timeout = Short });
        Assert.Equal(Errors.Length, await HistogramTotalAsync(ui));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheFieldsAJsonStageExtractedAreShownAndFilterTheQuery(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync(ApiJson);
        string[] all = [.. Enumerable.Range(0, LogQlFixture.JsonCount).Reverse().Select(LogQlFixture.Json), LogQlFixture.Plain];
        Assert.Equal(all, await ui.MessagesAsync());

        // The fields panel: each extracted field with its values and how many rows hold them.
        Assert.Equal((string[])["200:3", "500:3"], await PanelAsync(ui, "status"));
        Assert.Equal((string[])["error:3", "info:3"], await PanelAsync(ui, "level_extracted"));
        Assert.Equal((string[])["JSONParserErr:1"], await PanelAsync(ui, "__error__"));

        await Row(ui, LogQlFixture.Msg(3)).ClickAsync();
        Assert.Equal((string[])["level_extracted=error", "msg=payment failed 3", "status=500", "user=u3"], await ParsedFieldsAsync(ui));
        Directory.CreateDirectory(UiFixture.Artifacts);
        await ui.ScreenshotAsync(Path.Combine(UiFixture.Artifacts, $"logql-fields-{browser}.png"));

        // "Filter for" on an extracted field adds a label filter after the pipeline.
        string filtered = $"{ApiJson} | status=\"500\"";
        await ui.Page.Locator("[data-testid=result-detail] [data-field=status] [data-testid=filter-for]").ClickAsync();
        await ui.Page.WaitForFunctionAsync(
            "q => new URLSearchParams(location.search).get('query') === q", filtered, new PageWaitForFunctionOptions { Timeout = Short });
        await ui.SettledAsync();
        Assert.Equal(Errors.Select(LogQlFixture.Json), await ui.MessagesAsync());

        // A click in the panel adds "| name=value" the same way; Alt+click "!=".
        await ui.Page.Locator("[data-testid=field-value][data-parsed=true][data-label=user][data-value=u1]").ClickAsync(
            new LocatorClickOptions { Modifiers = [KeyboardModifier.Alt] });
        await ui.Page.WaitForFunctionAsync(
            "q => new URLSearchParams(location.search).get('query') === q", $"{filtered} | user!=\"u1\"",
            new PageWaitForFunctionOptions { Timeout = Short });
        await ui.SettledAsync();
        Assert.Equal(Errors.Where(i => i != 1).Select(LogQlFixture.Json), await ui.MessagesAsync());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheFieldsALogfmtStageExtractedAreInTheDetailView(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync($"{{pod=\"{LogQlFixture.WorkerPod}\"}} | logfmt");
        Assert.Equal((string[])[LogQlFixture.Drained, LogQlFixture.Slow], await ui.MessagesAsync());
        await Row(ui, "queue slow").ClickAsync();
        Assert.Equal((string[])["depth=42", "level_extracted=warn", "msg=queue slow"], await ParsedFieldsAsync(ui));

        // The labels are still there, as for any line.
        Assert.Equal("worker-1", await ui.Page.Locator("[data-testid=result-detail] [data-field=pod] td.value").TextContentAsync());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task ABadQueryShowsItsErrorAndThePageKeepsWorking(string browser)
    {
        Directory.CreateDirectory(UiFixture.Artifacts);
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{namespace=\"shop\"} | json | line_format \"{{.msg\"");
        var error = ui.Page.GetByTestId("error");
        Assert.True(await error.IsVisibleAsync());
        Assert.Contains("line_format", await error.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await ui.RowCountAsync());

        // A metric query is evaluated by the Loki route and shown as its series.
        await RunAsync(ui, "sum by (level) (count_over_time({namespace=\"shop\"}[1h]))");
        Assert.True(await error.IsHiddenAsync());
        var series = await ui.Page.EvalOnSelectorAllAsync<string[]>(
            "[data-testid=metric-series]", "rows => rows.map(r => r.cells[0].textContent + ' ' + r.cells[2].textContent)");
        Assert.Equal((string[])["{level=\"error\"} 3", "{level=\"info\"} 5", "{level=\"warn\"} 1"], series.Order(StringComparer.Ordinal));
        Assert.True(await ui.Page.GetByTestId("results-scroller").IsHiddenAsync());
        await ui.ScreenshotAsync(Path.Combine(UiFixture.Artifacts, $"logql-metric-{browser}.png"));

        // The Loki route's plain-text error is shown with a caret at its column.
        await RunAsync(ui, "sum by (level) (count_over_time({namespace=\"shop\"}))");
        Assert.True(await error.IsVisibleAsync());
        Assert.Contains("parse error", await error.TextContentAsync(), StringComparison.Ordinal);
        Assert.Contains("^", await error.TextContentAsync(), StringComparison.Ordinal);

        // And the next good query shows rows again.
        await RunAsync(ui, $"{{pod=\"{LogQlFixture.WorkerPod}\"}} |= \"slow\"");
        Assert.True(await error.IsHiddenAsync());
        Assert.Equal((string[])[LogQlFixture.Slow], await ui.MessagesAsync());
        Assert.Equal(0, await ui.Page.GetByTestId("metric-series").CountAsync());
        ui.AssertClean();
    }

    private static async Task RunAsync(UiPage ui, string query)
    {
        var input = ui.Page.GetByTestId("query-input");
        await input.FillAsync(query);
        await ui.Page.GetByTestId("run-query").ClickAsync();
        await ui.Page.WaitForFunctionAsync(
            "q => new URLSearchParams(location.search).get('query') === q", query, new PageWaitForFunctionOptions { Timeout = Short });
        await ui.SettledAsync();
    }

    private static ILocator Row(UiPage ui, string text) =>
        ui.Page.Locator("[data-testid=result-row]", new PageLocatorOptions { HasText = text });

    private static async Task<string[]> ParsedFieldsAsync(UiPage ui)
    {
        await ui.Page.GetByTestId("result-detail").WaitForAsync(new LocatorWaitForOptions { Timeout = Short });
        return await ui.Page.EvalOnSelectorAllAsync<string[]>(
            "[data-testid=result-detail] [data-testid=detail-field][data-parsed=true]",
            "rows => rows.map(r => `${r.dataset.field}=${r.querySelector('td.value').textContent}`)");
    }

    private static async Task<string[]> PanelAsync(UiPage ui, string field) =>
        await ui.Page.EvalOnSelectorAllAsync<string[]>(
            $"[data-testid=field-value][data-parsed=true][data-label=\"{field}\"]",
            "buttons => buttons.map(b => `${b.dataset.value}:${b.querySelector('.count').textContent}`)");

    private static Task<int> HistogramTotalAsync(UiPage ui) => ui.Page.EvaluateAsync<int>(
        "() => [...document.querySelectorAll('[data-testid=histogram] [data-count]')].reduce((n, r) => n + Number(r.dataset.count), 0)");

    private async Task<UiPage> OpenAsync(string browser) => await UiPage.OpenAsync(await browsers.BrowserAsync(browser), data.Collector.BaseUrl);
}
