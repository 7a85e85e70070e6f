using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TestSupport;
using Xunit.Abstractions;

namespace Ui.Tests;

/// <summary>
/// The web UI in headless Chromium and Firefox against the real Collector, fed through its syslog listener.
/// </summary>
public sealed partial class WebUiTests(UiFixture fixture, ITestOutputHelper output) : IClassFixture<UiFixture>
{
    private const int Page = 100;

    [Theory, InChromium, InFirefox]
    public async Task AQueryReturnsTheExpectedRowsAndTheTimingsAreMeasured(string browser)
    {
        await using var ui = await OpenAsync(browser);
        var expected = fixture.Logs
            .Where(l => l.Namespace == "db" && l.Body.Contains("timeout", StringComparison.Ordinal))
            .Select(l => l.Seq)
            .Order()
            .ToList();
        Assert.InRange(expected.Count, 5, Page - 1);

        await ui.Page.GotoAsync("/");
        await ui.SettledAsync();
        await ui.Page.GetByTestId("query-input").FillAsync("{namespace=\"db\"} |= \"timeout\"");
        await ui.Page.GetByTestId("query-input").PressAsync("Enter");
        await ui.Page.WaitForFunctionAsync("() => performance.getEntriesByName('ks-results').length > 0 && " +
            "performance.getEntriesByName('ks-histogram').length > 0");

        var lines = await ui.MessagesAsync();
        Assert.Equal(expected, lines.Select(UiLog.SeqOf).Order().ToList());
        // The message alone: no labels, ids or SD in front of it; the pod beside it.
        Assert.All(lines, l => Assert.Equal(fixture.Logs[UiLog.SeqOf(l)].Body, l));
        Assert.Equal(lines.Select(l => $"db/{fixture.Logs[UiLog.SeqOf(l)].Pod}/main"), await ui.PodsAsync());
        Assert.Equal(expected.Count, await ui.Page.Locator("[data-testid=result-row] mark").CountAsync());

        // Newest first: the row times descend; the offset is on hover.
        var times = await ui.Page.EvalOnSelectorAllAsync<string[]>("[data-testid=result-row]", "rows => rows.map(r => r.dataset.ns)");
        Assert.Equal(times.OrderByDescending(t => long.Parse(t, CultureInfo.InvariantCulture)), times);
        string? hover = await ui.Page.Locator("[data-testid=result-row] td.time").First.GetAttributeAsync("title");
        Assert.Matches(@"[+-]\d\d:\d\d$", hover);

        double results = await ui.Page.EvaluateAsync<double>("() => performance.getEntriesByName('ks-results')[0].duration");
        double histogram = await ui.Page.EvaluateAsync<double>("() => performance.getEntriesByName('ks-histogram')[0].duration");
        string timings = $"{browser}: one-namespace query with a literal over 1 h ({fixture.Logs.Count} stored " +
            $"lines): first results rendered {results:0} ms, histogram {histogram:0} ms after Enter";
        output.WriteLine(timings);
        Directory.CreateDirectory(UiFixture.Artifacts);
        await File.AppendAllTextAsync(Path.Combine(UiFixture.Artifacts, "timings.txt"), timings + "\n");

        // A row expands to every field with a copy button.
        await ui.Page.GetByTestId("result-row").First.ClickAsync();
        var detail = ui.Page.GetByTestId("result-detail");
        await detail.WaitForAsync();
        Assert.Contains("pod", await detail.TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await ui.Page.GetByTestId("copy-line").IsVisibleAsync());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task ACaseInsensitiveRegexFilterIsHighlightedInEveryRow(string browser)
    {
        await using var ui = await OpenAsync(browser);
        var expected = fixture.Logs
            .Where(l => l.Namespace == "db" && l.Body.Contains("timeout", StringComparison.Ordinal))
            .Select(l => l.Seq)
            .Order()
            .ToList();

        await ui.Page.GotoAsync("/");
        await ui.SettledAsync();
        await ui.Page.GetByTestId("query-input").FillAsync("{namespace=\"db\"} |~ \"(?i)TIME[O]UT\"");
        await ui.Page.GetByTestId("query-input").PressAsync("Enter");
        await ui.Page.WaitForFunctionAsync("() => performance.getEntriesByName('ks-results').length > 0");

        Assert.Equal(expected, (await ui.MessagesAsync()).Select(UiLog.SeqOf).Order().ToList());
        var marks = await ui.Page.Locator("[data-testid=result-row] mark").AllTextContentsAsync();
        Assert.Equal(expected.Count, marks.Count);
        Assert.All(marks, m => Assert.Equal("timeout", m));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task ASyntaxErrorIsShownInlineAtItsPosition(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{}");
        await ui.Page.Keyboard.PressAsync("/");
        Assert.Equal("query", await ui.Page.EvaluateAsync<string>("() => document.activeElement.id"));
        await ui.Page.GetByTestId("query-input").FillAsync("{namespace=\"web\" |= \"x\"");
        await ui.Page.GetByTestId("run-query").ClickAsync();
        var error = ui.Page.GetByTestId("error");
        await error.WaitForAsync();
        string text = (await error.TextContentAsync())!;
        var position = PositionPattern().Match(text);
        Assert.True(position.Success, $"the error names a position: {text}");
        var lines = text.Split('\n');
        Assert.Equal("{namespace=\"web\" |= \"x\"", lines[1]);
        Assert.Equal(int.Parse(position.Groups[1].Value, CultureInfo.InvariantCulture), lines[2].IndexOf('^', StringComparison.Ordinal));
        Assert.Contains("invalid", await ui.Page.GetByTestId("query-input").GetAttributeAsync("class") ?? string.Empty, StringComparison.Ordinal);
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheHistogramDrawsTheApiCountsAndDraggingOverItNarrowsTheRange(string browser)
    {
        await using var ui = await OpenAsync(browser);
        var volume = ui.Page.WaitForResponseAsync(r => r.Url.Contains("/api/v1/volume_range", StringComparison.Ordinal));
        await ui.GotoAsync("{}");
        var response = await volume;
        await ui.Page.WaitForFunctionAsync("() => performance.getEntriesByName('ks-histogram').length > 0");

        // The same request again from here: the bars must show exactly its counts.
        using var http = new HttpClient();
        using var body = JsonDocument.Parse(await http.GetStringAsync(response.Url));
        var data = body.RootElement.GetProperty("data");
        decimal start = decimal.Parse(data.GetProperty("start").GetString()!, CultureInfo.InvariantCulture) / 1e9m;
        decimal step = data.GetProperty("step").GetDecimal();
        var api = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            string severity = series.GetProperty("metric").GetProperty("severity").GetString()!;
            foreach (var value in series.GetProperty("values").EnumerateArray())
            {
                api[$"{severity}@{Math.Round((value[0].GetDecimal() - start) / step)}"] = long.Parse(
                    value[1].GetString()!,
                    CultureInfo.InvariantCulture);
            }
        }

        var bars = (await ui.Page.EvalOnSelectorAllAsync<string[]>(
            "[data-testid=histogram] rect.bar", "rects => rects.map(r => `${r.dataset.severity}@${r.dataset.bucket}=${r.dataset.count}`)"))
            .Select(b => b.Split('=')).ToDictionary(b => b[0], b => long.Parse(b[1], CultureInfo.InvariantCulture));
        Assert.Equal(api, new SortedDictionary<string, long>(bars, StringComparer.Ordinal));
        Assert.Equal(fixture.Logs.Count, bars.Values.Sum());

        // Drag over the middle half: an absolute range in the URL, fewer rows than before.
        var box = (await ui.Page.GetByTestId("histogram").BoundingBoxAsync())!;
        await ui.Page.Mouse.MoveAsync(box.X + (box.Width * 0.25f), box.Y + (box.Height / 2));
        await ui.Page.Mouse.DownAsync();
        await ui.Page.Mouse.MoveAsync(box.X + (box.Width * 0.5f), box.Y + (box.Height / 2), new MouseMoveOptions { Steps = 5 });
        await ui.Page.Mouse.UpAsync();
        await ui.Page.WaitForURLAsync(new Regex("from=.*to="));
        // The rows come first: until the narrowed run measures ks-histogram (run() cleared the old one), the old bars
        // are shown.
        await ui.Page.WaitForFunctionAsync("() => performance.getEntriesByName('ks-histogram').length > 0");
        await ui.SettledAsync();
        Assert.Equal("abs", await ui.Page.GetByTestId("time-range").InputValueAsync());
        long narrowed = await ui.Page.EvaluateAsync<long>("() => " +
            "[...document.querySelectorAll('[data-testid=histogram] rect.bar')].reduce((a, r) => a + " +
            "Number(r.dataset.count), 0)");
        Assert.InRange(narrowed, 1, (fixture.Logs.Count / 2) - 1);
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task ClickingAFieldValueNarrowsTheResultsAndAltClickExcludesIt(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{}");
        await ui.Page.Locator("[data-testid=field-value][data-label=namespace][data-value=web]").ClickAsync();
        await ui.Page.WaitForURLAsync(new Regex("namespace%3D%22web%22|namespace=%22web%22"));
        await ui.SettledAsync();
        Assert.Equal("{namespace=\"web\"}", await ui.Page.GetByTestId("query-input").InputValueAsync());
        var lines = await ui.MessagesAsync();
        Assert.Equal(Page, lines.Length);
        Assert.All(await ui.PodsAsync(), p => Assert.StartsWith("web/", p, StringComparison.Ordinal));

        await ui.Page
            .Locator("[data-testid=field-value][data-label=pod][data-value=web-1]")
            .ClickAsync(new LocatorClickOptions { Modifiers = [KeyboardModifier.Alt] });
        await ui.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=query-input]').value.includes('pod!=')");
        await ui.SettledAsync();
        Assert.Equal("{namespace=\"web\", pod!=\"web-1\"}", await ui.Page.GetByTestId("query-input").InputValueAsync());
        lines = await ui.MessagesAsync();
        Assert.NotEmpty(lines);
        Assert.All(await ui.PodsAsync(), p => Assert.DoesNotContain("/web-1/", p, StringComparison.Ordinal));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task LoadMorePagesThroughEveryLineWithoutGapsOrRepeatsInBothOrders(string browser)
    {
        await using var ui = await OpenAsync(browser);
        foreach (string direction in new[] { "backward", "forward" })
        {
            await ui.Page.GotoAsync($"/?query=%7B%7D&range=1h{(direction == "forward" ? "&direction=forward" : "")}");
            await ui.SettledAsync();
            var loadMore = ui.Page.GetByTestId("load-more");
            for (int pages = 1; await loadMore.IsVisibleAsync(); pages++)
            {
                Assert.True(pages < 20, "too many pages");
                int before = await ui.RowCountAsync();
                await loadMore.ClickAsync();
                // The last full page still carries a cursor; the page after it is empty and hides the button.
                await ui.Page.WaitForFunctionAsync(
                    $"() => document.querySelectorAll('[data-testid=result-row]').length > {before} || " +
                    "document.querySelector('[data-testid=load-more]').hidden");
            }

            var seqs = (await ui.MessagesAsync()).Select(UiLog.SeqOf).ToList();
            Assert.Equal(fixture.Logs.Count, seqs.Count);
            Assert.Equal(Enumerable.Range(0, fixture.Logs.Count), seqs.Order());
            var expectedOrder = direction == "forward" ? seqs.Order() : seqs.OrderDescending();
            Assert.Equal(expectedOrder, seqs);
        }

        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task LiveTailShowsALineSentAfterItWasSwitchedOn(string browser)
    {
        await using var ui = await OpenAsync(browser);
        string marker = $"live-{Guid.NewGuid():N}";
        await ui.GotoAsync($"{{}} |= \"{marker}\"");
        Assert.Equal(0, await ui.RowCountAsync());
        await ui.Page.GetByTestId("tail-toggle").ClickAsync();
        await ui.Page.Locator("[data-testid=tail-toggle][data-state=open]").WaitForAsync();

        var stopwatch = Stopwatch.StartNew();
        await UiTraffic.SendAsync(
            fixture.Collector.Tcp,
            [new UiLog(100_000, TimeProvider.System.GetUtcNow(), "web", "web-9", 3, $"seq=100000 {marker} arrived")]);
        await ui.Page
            .Locator("[data-testid=result-row]", new PageLocatorOptions { HasText = marker })
            .WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        stopwatch.Stop();

        // How soon is written to the output, not asserted: a wall-clock bound fails on a loaded machine. The wait's
        // deadline only ends the test when the line never comes.
        output.WriteLine($"live tail: line shown {stopwatch.ElapsedMilliseconds} ms after it was sent");
        Assert.Equal("true", await ui.Page.GetByTestId("tail-toggle").GetAttributeAsync("aria-pressed"));

        await ui.Page.GetByTestId("tail-toggle").ClickAsync();
        Assert.Equal("false", await ui.Page.GetByTestId("tail-toggle").GetAttributeAsync("aria-pressed"));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheUrlRoundTripsQueryAndRangeAfterAReloadAndTheBackButtonRestoresThePreviousQuery(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.Page.GotoAsync("/");
        await ui.SettledAsync();
        await ui.Page.GetByTestId("query-input").FillAsync("{namespace=\"db\"}");
        await ui.Page.GetByTestId("time-range").SelectOptionAsync("6h");
        await ui.Page.WaitForURLAsync(new Regex("range=6h"));
        await ui.SettledAsync();
        Assert.Contains("query=%7Bnamespace%3D%22db%22%7D", ui.Page.Url, StringComparison.Ordinal);

        await ui.Page.ReloadAsync();
        await ui.SettledAsync();
        Assert.Equal("{namespace=\"db\"}", await ui.Page.GetByTestId("query-input").InputValueAsync());
        Assert.Equal("6h", await ui.Page.GetByTestId("time-range").InputValueAsync());
        Assert.All(await ui.PodsAsync(), p => Assert.StartsWith("db/", p, StringComparison.Ordinal));

        await ui.Page.GetByTestId("query-input").FillAsync("{namespace=\"web\"}");
        await ui.Page.GetByTestId("query-input").PressAsync("Enter");
        await ui.Page.WaitForURLAsync(new Regex("web"));
        await ui.SettledAsync();
        await ui.Page.GoBackAsync();
        await ui.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=query-input]').value === '{namespace=\"db\"}'");
        await ui.SettledAsync();
        Assert.All(await ui.PodsAsync(), p => Assert.StartsWith("db/", p, StringComparison.Ordinal));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheMainViewLoadsOnlyFrom127UnderTwoHundredKilobytesAndIsSavedAsAScreenshot(string browser)
    {
        await using var ui = await OpenAsync(browser);
        long bytes = 0;
        ui.Page.Response += (_, response) =>
        {
            if (!response.Url.Contains("/api/", StringComparison.Ordinal) && response.Headers.TryGetValue("content-length", out string? length))
            {
                Interlocked.Add(ref bytes, long.Parse(length, CultureInfo.InvariantCulture));
            }
        };
        await ui.GotoAsync("{namespace=~\"web|db\"} |= \"timeout\"", "1h");
        await ui.Page.WaitForFunctionAsync("() => performance.getEntriesByName('ks-histogram').length > 0");
        await ui.Page.GetByTestId("result-row").Nth(1).ClickAsync();
        await ui.Page.GetByTestId("query-input").FocusAsync();
        await ui.Page.GetByTestId("query-input").PressAsync("End");
        await ui.Page.GetByTestId("query-input").BlurAsync();

        Directory.CreateDirectory(UiFixture.Artifacts);
        string path = Path.Combine(UiFixture.Artifacts, $"main-view-{browser}.png");
        await ui.ScreenshotAsync(path);
        output.WriteLine($"screenshot: {path}; page weight {bytes} bytes");
        Assert.True(new FileInfo(path).Length > 10_000, "a screenshot was written");
        Assert.InRange(bytes, 1, 200 * 1024);
        Assert.NotEmpty(ui.Requests);
        Assert.All(ui.Requests, r => Assert.StartsWith(fixture.Collector.BaseUrl, r, StringComparison.Ordinal));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task WithATokenTheUiAsksForItOnceAndAWrongOneGetsAClearMessage(string browser)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir.Combine("messages"), token: "s3cret-token");
        var logs = UiTraffic.Create(TimeProvider.System.GetUtcNow()).Take(30).ToList();
        await UiTraffic.SendAsync(collector.Tcp, logs);
        await collector.WaitForLinesAsync(logs.Count);
        await using var ui = await UiPage.OpenAsync(await fixture.BrowserAsync(browser), collector.BaseUrl);

        await ui.Page.GotoAsync("/?query=%7B%7D");
        var dialog = ui.Page.GetByTestId("token-dialog");
        await dialog.WaitForAsync();
        Assert.False(await ui.Page.GetByTestId("token-error").IsVisibleAsync());
        await ui.Page.GetByTestId("token-input").FillAsync("wrong");
        await ui.Page.GetByTestId("token-submit").ClickAsync();
        await ui.Page.GetByTestId("token-error").WaitForAsync();
        Assert.Contains("not accepted", await ui.Page.GetByTestId("token-error").TextContentAsync(), StringComparison.Ordinal);

        await ui.Page.GetByTestId("token-input").FillAsync("s3cret-token");
        await ui.Page.GetByTestId("token-submit").ClickAsync();
        await ui.SettledAsync();
        Assert.Equal(logs.Count, await ui.RowCountAsync());
        Assert.Equal("s3cret-token", await ui.Page.EvaluateAsync<string>("() => sessionStorage.getItem('kube-syslog-token')"));

        // Kept for the session: a reload asks nothing.
        await ui.Page.ReloadAsync();
        await ui.SettledAsync();
        Assert.False(await dialog.IsVisibleAsync());
        Assert.Equal(logs.Count, await ui.RowCountAsync());

        // The live tail's WebSocket carries the token too.
        await ui.Page.GetByTestId("tail-toggle").ClickAsync();
        await ui.Page.Locator("[data-testid=tail-toggle][data-state=open]").WaitForAsync();
        ui.AssertClean();
    }

    private async Task<UiPage> OpenAsync(string browser) => await UiPage.OpenAsync(await fixture.BrowserAsync(browser), fixture.Collector.BaseUrl);

    [GeneratedRegex(@"at position (\d+)")]
    private static partial Regex PositionPattern();
}
