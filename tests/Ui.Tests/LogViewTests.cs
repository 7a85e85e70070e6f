using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Ui.Tests;

/// <summary>
/// The results read like a log viewer: time, severity, pod and the message; a row opens to every field with filter
/// buttons, the stored line and the lines around it; a long multiline message is collapsed. Headless Chromium and
/// Firefox against a Collector holding <see cref="LogViewFixture"/>'s lines.
/// </summary>
public sealed class LogViewTests(UiFixture browsers, LogViewFixture data, ITestOutputHelper output)
    : IClassFixture<UiFixture>, IClassFixture<LogViewFixture>
{
    private const float Short = 5_000;
    private const string Pod = $"shop/{LogViewFixture.Pod}/web";
    private static readonly string TraceFirstTen = string.Join('\n', LogViewFixture.Trace.Split('\n').Take(10));

    [Theory, InChromium, InFirefox]
    public async Task RowsShowThePodAndTheMessageAloneWithTheSearchMatchesMarked(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{namespace=\"shop\"} |= \"/cart/\"");

        string[] expected =
        [
            .. Enumerable.Range(0, LogViewFixture.RequestCount).Reverse().Select(LogViewFixture.Request),
            LogViewFixture.OldLineMessage,
        ];
        Assert.Equal(expected, await ui.MessagesAsync());
        Assert.Equal(Enumerable.Repeat(Pod, expected.Length), await ui.PodsAsync());
        Assert.Equal(Enumerable.Repeat("/cart/", expected.Length), await ui.Page.Locator("[data-testid=result-row] mark").AllTextContentsAsync());
        Assert.Equal(Enumerable.Repeat("info", expected.Length), await ui.Page.EvalOnSelectorAllAsync<string[]>(
            "[data-testid=result-row] td.sev", "cells => cells.map(c => c.title)"));

        // Nothing of the stored line's labels, ids or SD is in a row, in either layout.
        foreach (string text in await ui.Page.GetByTestId("result-row").AllTextContentsAsync())
        {
            Assert.DoesNotContain("container_id", text, StringComparison.Ordinal);
            Assert.DoesNotContain("k8s@32473", text, StringComparison.Ordinal);
        }

        // The time column is the line's time in the browser's zone, to the millisecond.
        var first = data.Start.AddSeconds(2 * (LogViewFixture.RequestCount - 1));
        Assert.Equal(await LocalTimeAsync(ui, first), await ui.Page.Locator("[data-testid=result-row] td.time").First.TextContentAsync());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheKeyboardOpensARowToEveryFieldAndTheStoredLineInBothLayouts(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{namespace=\"shop\"}");

        var row = Row(ui, LogViewFixture.Request(5));
        await row.FocusAsync();
        await ui.Page.Keyboard.PressAsync("Enter");
        Assert.Equal("true", await row.GetAttributeAsync("aria-expanded"));
        Assert.Equal(Fields(LogViewFixture.Bytes(5)), await FieldsAsync(ui));
        Assert.Equal(data.StoredLine(LogViewFixture.Request(5)), await ui.Page.GetByTestId("raw-line").TextContentAsync());
        await ui.Page.Keyboard.PressAsync("Enter");
        Assert.Equal(0, await ui.Page.GetByTestId("result-detail").CountAsync());

        // The line stored before message-first lines (messages.1) gives the same fields.
        await Row(ui, LogViewFixture.OldLineMessage).ClickAsync();
        Assert.Equal(Fields("0-100"), await FieldsAsync(ui));
        string stored = data.StoredLine(LogViewFixture.OldLineMessage);
        Assert.EndsWith($"] {LogViewFixture.OldLineMessage}", stored, StringComparison.Ordinal);
        Assert.Equal(stored, await ui.Page.GetByTestId("raw-line").TextContentAsync());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task FilterForAndFilterOutEditTheQueryAndRunIt(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{}");
        await Row(ui, LogViewFixture.Request(5)).ClickAsync();
        await ClickFilterAsync(ui, "namespace", "filter-for", "{namespace=\"shop\"}");
        Assert.Equal((2 * LogViewFixture.RequestCount) + 2, (await ui.MessagesAsync()).Length);

        await Row(ui, LogViewFixture.Request(5)).ClickAsync();
        string byUid = $"{{namespace=\"shop\"}} |= `pod_uid=\"{LogViewFixture.PodUid}\"`";
        await ClickFilterAsync(ui, "pod_uid", "filter-for", byUid);
        string[] ofPod =
        [
            LogViewFixture.Trace,
            .. Enumerable.Range(0, LogViewFixture.RequestCount).Reverse().Select(LogViewFixture.Request),
            LogViewFixture.OldLineMessage,
        ];
        await Row(ui, LogViewFixture.Request(5)).ClickAsync();
        await ui.Page.GetByTestId("result-row").First.GetByTestId("show-all").ClickAsync();
        Assert.Equal(ofPod, await ui.MessagesAsync());

        // Out with stdout: the trace, on stderr, is left.
        await ClickFilterAsync(ui, "stream", "filter-out", byUid + " !~ `\\.[a-z]+ stdout [[-]`");
        Assert.Equal([TraceFirstTen], (await ui.MessagesAsync()).ToList());

        await ui.Page.GetByTestId("result-row").ClickAsync();
        await ClickFilterAsync(
            ui,
            "container",
            "filter-out",
            "{namespace=\"shop\", container!=\"web\"} |= `pod_uid=\"" + LogViewFixture.PodUid + "\"` !~ `\\.[a-z]+ stdout [[-]`");
        Assert.Empty(await ui.MessagesAsync());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task ShowContextListsThePodsLinesAroundTheLineInOrderAndIsSavedAsAScreenshot(string browser)
    {
        // Tall enough for the docs' screenshot below: the trace on top, the open row and its context under it.
        await using var ui = await OpenAsync(browser, height: 1150);
        await ui.GotoAsync("{namespace=\"shop\"}");

        // Near the end: five before, one request after it, then the trace (collapsed there too).
        await Row(ui, LogViewFixture.Request(10)).ClickAsync();
        string[] nearTheEnd = [.. Enumerable.Range(5, 7).Select(LogViewFixture.Request), TraceFirstTen];
        Assert.Equal(nearTheEnd, await ContextAsync(ui));

        // The page itself never scrolls, the results do inside their box: nothing in a row (such as the severity's
        // screen-reader text) may grow the document.
        Assert.True(
            await ui.Page.EvaluateAsync<bool>("() => document.scrollingElement.scrollHeight <= window.innerHeight"),
            "the document is taller than the window");

        // The screenshot of the docs (docs/web-ui.md, Collector/Ui/web-ui.png).
        await ui.Page.GetByTestId("results-scroller").EvaluateAsync("s => { s.scrollTop = 0; }");
        Directory.CreateDirectory(UiFixture.Artifacts);
        string path = Path.Combine(UiFixture.Artifacts, $"log-view-{browser}.png");
        await ui.ScreenshotAsync(path);
        output.WriteLine($"screenshot: {path}");
        Assert.True(new FileInfo(path).Length > 10_000, "a screenshot was written");

        // Five before and five after, oldest first; the other pod's lines between them are not the pod's context.
        await Row(ui, LogViewFixture.Request(10)).ClickAsync();
        await Row(ui, LogViewFixture.Request(6)).ClickAsync();
        string[] expected = [.. Enumerable.Range(1, 11).Select(LogViewFixture.Request)];
        Assert.Equal(expected, await ContextAsync(ui));
        Assert.Equal(
            LogViewFixture.Request(6),
            await ui.Page.Locator("[data-testid=context-line][aria-current=true] [data-testid=message]").TextContentAsync());
        Assert.Equal(Enumerable.Repeat(Pod, expected.Length), await ui.Page.EvalOnSelectorAllAsync<string[]>(
            "[data-testid=context-line] td.identity", "cells => cells.map(c => c.textContent)"));

        // Five more each way, as far as there are: the line of the older layout (messages.1) first, the trace last.
        await MoreContextAsync(ui, "context-earlier");
        string[] earlier = [LogViewFixture.OldLineMessage, .. Enumerable.Range(0, 12).Select(LogViewFixture.Request)];
        Assert.Equal(earlier, await ContextLinesAsync(ui));
        Assert.True(await ui.Page.GetByTestId("context-earlier").IsDisabledAsync(), "no more lines before");
        await MoreContextAsync(ui, "context-later");
        string[] later = [.. earlier, TraceFirstTen];
        Assert.Equal(later, await ContextLinesAsync(ui));
        Assert.True(await ui.Page.GetByTestId("context-later").IsDisabledAsync(), "no more lines after");

        // The line of the older layout, in messages.1: nothing before it, the current file's lines after.
        await Row(ui, LogViewFixture.Request(6)).ClickAsync();
        await Row(ui, LogViewFixture.OldLineMessage).ClickAsync();
        string[] fromTheOldFile = [LogViewFixture.OldLineMessage, .. Enumerable.Range(0, 5).Select(LogViewFixture.Request)];
        Assert.Equal(fromTheOldFile, await ContextAsync(ui));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task AFifteenLineMessageShowsTenLinesUntilShowAllIsClicked(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{namespace=\"shop\", severity=\"err\"}");
        var row = ui.Page.GetByTestId("result-row");
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal("err", await row.Locator("td.sev").GetAttributeAsync("title"));
        Assert.Equal(Pod, await row.Locator("td.identity").TextContentAsync());

        var message = row.GetByTestId("message");
        var showAll = row.GetByTestId("show-all");
        Assert.Equal(TraceFirstTen, await message.TextContentAsync());
        Assert.Equal("Show all 15 lines", await showAll.TextContentAsync());
        float tenLines = (await message.BoundingBoxAsync())!.Height;

        await showAll.ClickAsync();
        Assert.Equal(LogViewFixture.Trace, await message.TextContentAsync());
        Assert.Equal("true", await showAll.GetAttributeAsync("aria-expanded"));
        Assert.Equal(0, await ui.Page.GetByTestId("result-detail").CountAsync());

        // Shown as a block: each line of the message is a line on the screen.
        float allLines = (await message.BoundingBoxAsync())!.Height;
        Assert.InRange(allLines / tenLines, 1.4, 1.6);

        await showAll.ClickAsync();
        Assert.Equal(TraceFirstTen, await message.TextContentAsync());
        Assert.Equal("Show all 15 lines", await showAll.TextContentAsync());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task MarkupInAMessageIsShownAsTextAndASendersOwnSdParamFiltersExactly(string browser)
    {
        await using var ui = await OpenAsync(browser);
        const string Query = "{namespace=\"tools\"}";
        await ui.GotoAsync(Query);
        Assert.Equal([LogViewFixture.Markup], (await ui.MessagesAsync()).ToList());
        Assert.Equal(0, await ui.Page.Locator("[data-testid=result-row] img, [data-testid=result-row] b").CountAsync());

        await ui.Page.GetByTestId("result-row").ClickAsync();
        string[] fields =
        [
            "namespace=tools", "pod=probe-1", "container=probe", $"node={LogViewFixture.Node}", "app=probe", "stream=stdout",
            "facility=user", "severity=notice", $"check@32473 note={LogViewFixture.Note}",
        ];
        Assert.Equal(fields, await FieldsAsync(ui));

        // The value as stored, escapes and all, in a raw string: the filter finds this line and only it.
        string filter = $"`note=\"{LogViewFixture.NoteEscaped}\"`";
        await ClickFilterAsync(ui, "check@32473 note", "filter-for", $"{Query} |= {filter}");
        Assert.Equal([LogViewFixture.Markup], (await ui.MessagesAsync()).ToList());

        await ui.GotoAsync(Query);
        await ui.Page.GetByTestId("result-row").ClickAsync();
        await ClickFilterAsync(ui, "check@32473 note", "filter-out", $"{Query} != {filter}");
        Assert.Empty(await ui.MessagesAsync());
        Assert.True(await ui.Page.EvaluateAsync<bool>("() => window.injected === undefined"), "the message's markup ran");
        ui.AssertClean();
    }

    private static ILocator Row(UiPage ui, string message) =>
        ui.Page.Locator("[data-testid=result-row]", new PageLocatorOptions { HasText = message });

    /// <summary>Every field the detail view lists for a line of <see cref="LogViewFixture.Pod"/> on stdout.</summary>
    private static string[] Fields(string bytes) =>
    [
        "namespace=shop",
        $"pod={LogViewFixture.Pod}",
        "container=web",
        $"node={LogViewFixture.Node}",
        "app=web",
        "stream=stdout",
        "facility=user",
        "severity=info",
        $"container_id={LogViewFixture.ContainerId}",
        $"pod_uid={LogViewFixture.PodUid}",
        $"origin source={LogViewFixture.SourceId}",
        $"origin bytes={bytes}",
    ];

    private static async Task<string[]> FieldsAsync(UiPage ui)
    {
        await ui.Page.GetByTestId("result-detail").WaitForAsync(new LocatorWaitForOptions { Timeout = Short });
        return await ui.Page.EvalOnSelectorAllAsync<string[]>(
            "[data-testid=result-detail] [data-testid=detail-field]",
            "rows => rows.map(r => `${r.dataset.field}=${r.querySelector('td.value').textContent}`)");
    }

    /// <summary>Clicks a filter button of the open detail view and waits for the query it makes to have run.</summary>
    private static async Task ClickFilterAsync(UiPage ui, string field, string testId, string query)
    {
        await ui.Page.Locator($"[data-testid=result-detail] [data-field=\"{field}\"] [data-testid={testId}]").ClickAsync();
        Assert.Equal(query, await ui.Page.GetByTestId("query-input").InputValueAsync());
        await ui.Page.WaitForFunctionAsync(
            "q => new URLSearchParams(location.search).get('query') === q", query, new PageWaitForFunctionOptions { Timeout = Short });
        await ui.SettledAsync();
    }

    /// <summary>
    /// Clicks "Show context" in the open detail view and returns the messages it lists, top to bottom.
    /// </summary>
    private static async Task<string[]> ContextAsync(UiPage ui)
    {
        await ui.Page.GetByTestId("result-detail").GetByTestId("show-context").ClickAsync();
        return await ContextLinesAsync(ui);
    }

    /// <summary>Clicks "5 earlier" or "5 later" in the context shown.</summary>
    private static async Task MoreContextAsync(UiPage ui, string testId)
    {
        Assert.True(await ui.Page.GetByTestId(testId).IsEnabledAsync(), $"{testId} is enabled");
        await ui.Page.GetByTestId(testId).ClickAsync();
    }

    /// <summary>The messages the context lists, top to bottom, once it has loaded.</summary>
    private static async Task<string[]> ContextLinesAsync(UiPage ui)
    {
        await ui.Page.Locator("[data-testid=context][data-state=done]").WaitForAsync(new LocatorWaitForOptions { Timeout = Short });
        return await ui.Page.EvalOnSelectorAllAsync<string[]>(
            "[data-testid=context-line] [data-testid=message]", "cells => cells.map(c => c.textContent)");
    }

    private static async Task<string> LocalTimeAsync(UiPage ui, DateTimeOffset time)
    {
        int offset = await ui.Page.EvaluateAsync<int>("ms => new Date(ms).getTimezoneOffset()", time.ToUnixTimeMilliseconds());
        return time.ToOffset(TimeSpan.FromMinutes(-offset)).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
    }

    private async Task<UiPage> OpenAsync(string browser, int height = 900) =>
        await UiPage.OpenAsync(await browsers.BrowserAsync(browser), data.Collector.BaseUrl, height);
}
