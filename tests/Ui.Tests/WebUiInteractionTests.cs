using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;

namespace Ui.Tests;

/// <summary>
/// The web UI's interactions (completion, history, keyboard, absolute range, copy, live tail notices, order) in
/// headless Chromium against the real Collector.
/// </summary>
public sealed partial class WebUiInteractionTests(UiFixture fixture) : IClassFixture<UiFixture>
{
    // Long enough for a fetch on a loaded 2-core machine; a missing feature fails here instead of after 30 s.
    private const float Short = 5_000;

    [Theory, InChromium, InFirefox]
    public async Task LabelNamesAndValuesCompleteFromTheApiAndTheKeyboardChoosesThem(string browser)
    {
        await using var ui = await OpenAsync(browser);
        string[] labels = await ApiListAsync("/api/v1/labels?since=24h");
        string[] namespaces = await ApiListAsync("/api/v1/label/namespace/values?since=24h");
        Assert.Contains("namespace", labels);
        Assert.Subset(namespaces.ToHashSet(), fixture.Logs.Select(l => l.Namespace).ToHashSet());

        await ui.Page.GotoAsync("/");
        await ui.SettledAsync();
        var input = ui.Page.GetByTestId("query-input");
        await input.ClickAsync();
        await ui.Page.Keyboard.TypeAsync("{na");
        var offered = await SuggestionsAsync(ui, "label", labels.Where(l => l.StartsWith("na", StringComparison.Ordinal)).ToArray());
        await ChooseByKeyboardAsync(ui, offered, "namespace", "Tab");
        Assert.Equal("{namespace=\"", await input.InputValueAsync());
        Assert.Equal("{namespace=\"".Length, await CaretAsync(ui));

        // The label's values follow at once: the namespaces present in the data.
        offered = await SuggestionsAsync(ui, "namespace", namespaces);
        string url = ui.Page.Url;
        await ChooseByKeyboardAsync(ui, offered, "db", "Enter");
        Assert.Equal("{namespace=\"db\"", await input.InputValueAsync());
        Assert.Equal(url, ui.Page.Url);

        // Enter with nothing chosen runs the query.
        await ui.Page.Keyboard.TypeAsync("}");
        await input.PressAsync("Enter");
        await ui.Page.WaitForURLAsync(new Regex("namespace"), new PageWaitForURLOptions { Timeout = Short });
        await ui.SettledAsync();
        var lines = await ui.MessagesAsync();
        Assert.Equal(Math.Min(100, fixture.Logs.Count(l => l.Namespace == "db")), lines.Length);
        Assert.All(await ui.PodsAsync(), p => Assert.StartsWith("db/", p, StringComparison.Ordinal));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task AClickedSuggestionIsInsertedAtTheCaretInTheMiddleOfTheQuery(string browser)
    {
        await using var ui = await OpenAsync(browser);
        string[] labels = await ApiListAsync("/api/v1/labels?since=24h");
        string[] pods = await ApiListAsync("/api/v1/label/pod/values?since=24h");
        Assert.Subset(pods.ToHashSet(), fixture.Logs.Select(l => l.Pod).ToHashSet());

        await ui.Page.GotoAsync("/");
        await ui.SettledAsync();
        var input = ui.Page.GetByTestId("query-input");
        const string Head = "{namespace=\"db\", ";
        const string Tail = "} |= \"timeout\"";
        await input.FillAsync(Head + Tail);
        await input.EvaluateAsync("(e, at) => e.setSelectionRange(at, at)", Head.Length);
        await ui.Page.Keyboard.TypeAsync("po");

        await SuggestionsAsync(ui, "label", labels.Where(l => l.StartsWith("po", StringComparison.Ordinal)).ToArray());
        await ui.Page.Locator("[data-testid=suggestion]", new PageLocatorOptions { HasText = "pod" }).First.ClickAsync();
        Assert.Equal(Head + "pod=\"" + Tail, await input.InputValueAsync());
        Assert.Equal((Head + "pod=\"").Length, await CaretAsync(ui));

        await SuggestionsAsync(ui, "pod", pods.Take(50).ToArray());
        await ui.Page.Locator("[data-testid=suggestion]", new PageLocatorOptions { HasTextRegex = new Regex("^db-2pod$") }).ClickAsync();
        Assert.Equal(Head + "pod=\"db-2\"" + Tail, await input.InputValueAsync());
        Assert.Equal((Head + "pod=\"db-2\"").Length, await CaretAsync(ui));

        await input.PressAsync("Enter");
        await ui.Page.WaitForURLAsync(new Regex("db-2"), new PageWaitForURLOptions { Timeout = Short });
        await ui.SettledAsync();
        var expected = fixture.Logs.Where(l => l.Pod == "db-2" && l.Body.Contains("timeout", StringComparison.Ordinal)).Select(l => l.Seq).Order();
        Assert.Equal(expected, (await ui.MessagesAsync()).Select(UiLog.SeqOf).Order());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheEmptyBoxOffersRecentQueriesNewestFirstAndTheyOutliveAReload(string browser)
    {
        await using var ui = await OpenAsync(browser);
        const string First = "{namespace=\"db\"}";
        const string Second = "{namespace=\"web\"} |= \"timeout\"";
        await ui.Page.GotoAsync("/");
        await ui.SettledAsync();
        var input = ui.Page.GetByTestId("query-input");
        foreach (string query in new[] { First, Second })
        {
            await input.FillAsync(query);
            await input.PressAsync("Enter");
            await ui.Page.WaitForURLAsync(url => QueryOf(url) == query, new PageWaitForURLOptions { Timeout = Short });
            await ui.SettledAsync();
        }

        await input.FillAsync(string.Empty);
        await SuggestionsAsync(ui, "recent", [Second, First]);

        await ui.Page.ReloadAsync();
        await ui.SettledAsync();
        await input.FillAsync(string.Empty);
        var offered = await SuggestionsAsync(ui, "recent", [Second, First]);

        // The older one, chosen and run, becomes the most recent.
        await ChooseByKeyboardAsync(ui, offered, First, "Enter");
        Assert.Equal(First, await input.InputValueAsync());
        Assert.Equal(Second, QueryOf(ui.Page.Url));
        await input.PressAsync("Enter");
        await ui.Page.WaitForURLAsync(url => QueryOf(url) == First, new PageWaitForURLOptions { Timeout = Short });
        await ui.SettledAsync();
        Assert.All(await ui.PodsAsync(), p => Assert.StartsWith("db/", p, StringComparison.Ordinal));
        await input.FillAsync(string.Empty);
        await SuggestionsAsync(ui, "recent", [First, Second]);
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task SlashFocusesTheQueryFromAButtonWithoutTypingItAndEnterRunsWhatIsTyped(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{}");
        await ui.Page.GetByTestId("run-query").FocusAsync();
        await ui.Page.Keyboard.PressAsync("/");
        Assert.Equal("query-input", await ui.Page.EvaluateAsync<string>("() => document.activeElement.dataset.testid"));
        Assert.Equal("{}", await ui.Page.GetByTestId("query-input").InputValueAsync());

        // Inside the box a slash is text.
        const string Query = "{namespace=\"kube-system\"} |= \"path=/api/3\"";
        await ui.Page.Keyboard.PressAsync("End");
        await ui.Page.Keyboard.PressAsync("Shift+Home");
        await ui.Page.Keyboard.TypeAsync(Query);
        await ui.Page.Keyboard.PressAsync("Enter");
        await ui.Page.WaitForURLAsync(url => QueryOf(url) == Query, new PageWaitForURLOptions { Timeout = Short });
        await ui.SettledAsync();
        var expected = fixture.Logs
            .Where(l => l.Namespace == "kube-system" && l.Body.Contains("path=/api/3", StringComparison.Ordinal))
            .Select(l => l.Seq)
            .Order()
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, (await ui.MessagesAsync()).Select(UiLog.SeqOf).Order());
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task AnAbsoluteRangeShowsExactlyTheLinesInsideItAndSurvivesAReload(string browser)
    {
        await using var ui = await OpenAsync(browser);
        // Whole seconds (the inputs' step) between two lines, so no line sits on a boundary; never on a minute, whose
        // ":00" the browsers drop from the input's value (Playwright's fill then fails with "Malformed value").
        var from = OffTheMinute(WholeSecond(fixture.Logs[200].Time).AddSeconds(-2));
        var to = OffTheMinute(WholeSecond(fixture.Logs[260].Time).AddSeconds(-2));
        var expected = fixture.Logs.Where(l => l.Time >= from && l.Time < to).Select(l => l.Seq).OrderDescending().ToList();
        Assert.Equal(60, expected.Count);

        await ui.GotoAsync("{}");
        await ui.Page.GetByTestId("time-range").SelectOptionAsync("abs");
        await ui.Page.GetByTestId("time-from").FillAsync(await LocalInputAsync(ui, from));
        await ui.Page.GetByTestId("time-to").FillAsync(await LocalInputAsync(ui, to));
        await ui.Page.WaitForURLAsync(url => UrlTime(url, "from") == from && UrlTime(url, "to") == to, new PageWaitForURLOptions { Timeout = Short });
        await ui.SettledAsync();
        Assert.Equal(expected, (await ui.MessagesAsync()).Select(UiLog.SeqOf));

        await ui.Page.ReloadAsync();
        await ui.SettledAsync();
        Assert.Equal("abs", await ui.Page.GetByTestId("time-range").InputValueAsync());
        Assert.Equal(await LocalInputAsync(ui, from), await InputTimeAsync(ui, "time-from"));
        Assert.Equal(await LocalInputAsync(ui, to), await InputTimeAsync(ui, "time-to"));
        Assert.Equal(expected, (await ui.MessagesAsync()).Select(UiLog.SeqOf));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheCopyButtonPutsExactlyTheStoredLineOfItsRowOnTheClipboard(string browser)
    {
        await using var ui = await OpenAsync(browser);
        bool firefox = browser == InFirefoxAttribute.Name;
        if (firefox)
        {
            // Firefox has no clipboard-read permission to grant (reading asks the user): what the page writes is
            // recorded on its way to the real clipboard, whose writeText must still succeed for the button to say so.
            await ui.Page.AddInitScriptAsync("""
                (() => {
                  if (!navigator.clipboard) return; // about:blank, before the UI is loaded
                  const write = navigator.clipboard.writeText.bind(navigator.clipboard);
                  window.copiedText = 'nothing copied yet';
                  navigator.clipboard.writeText = text => write(text).then(() => { window.copiedText = text; });
                })()
                """);
        }
        else
        {
            await ui.Page.Context.GrantPermissionsAsync(
                ["clipboard-read", "clipboard-write"],
                new BrowserContextGrantPermissionsOptions { Origin = fixture.Collector.BaseUrl });
        }

        // A generated pod only: the tail tests add lines of other pods (web-7, web-9) to the shared Collector.
        await ui.GotoAsync("{pod=\"web-1\"}");
        if (!firefox)
        {
            await ui.Page.EvaluateAsync("() => navigator.clipboard.writeText('nothing copied yet')");
        }

        // Not the first row: the button must copy its own row's line.
        var row = ui.Page.GetByTestId("result-row").Nth(2);
        string shown = (await row.GetByTestId("message").TextContentAsync())!;
        await row.ClickAsync();
        await ui.Page.GetByTestId("copy-line").ClickAsync();
        await ui.Page
            .Locator("[data-testid=copy-line]", new PageLocatorOptions { HasText = "Copied" })
            .WaitForAsync(new LocatorWaitForOptions { Timeout = Short });
        string copied = await ui.Page.EvaluateAsync<string>(firefox ? "() => window.copiedText" : "() => navigator.clipboard.readText()");

        var stored = File
            .ReadLines(fixture.Collector.FilePath)
            .Where(l => l.Contains(fixture.Logs[UiLog.SeqOf(shown)].Marker, StringComparison.Ordinal))
            .ToList();
        Assert.Equal(stored, [copied]);
        Assert.Equal(fixture.Logs[UiLog.SeqOf(shown)].Body, shown);
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task LiveTailSaysHowManyLinesTheServerDroppedAndAddsUpLaterDrops(string browser)
    {
        await using var ui = await OpenAsync(browser);
        // A browser reads a loopback WebSocket too fast for the Collector to drop anything: the drop reports are
        // injected into the real tail connection, in the frame shape TailEndpoints sends.
        var routed = new TaskCompletionSource<IWebSocketRoute>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ui.Page.RouteWebSocketAsync(url => url.Contains("/api/v1/tail", StringComparison.Ordinal), ws =>
        {
            ws.ConnectToServer();
            routed.TrySetResult(ws);
        });
        // The search's histogram comes after its rows; on a loaded machine, after the tail was opened too. Held here
        // until the tail is open, it comes last every time: the tail must stay the one the frames are injected into.
        await ui.Page.RouteAsync("**/api/v1/volume_range**", async route =>
        {
            await routed.Task;
            await route.FallbackAsync();
        });
        await ui.GotoAsync("{}");
        await ui.Page.GetByTestId("tail-toggle").ClickAsync();
        await ui.Page.Locator("[data-testid=tail-toggle][data-state=open]").WaitForAsync(new LocatorWaitForOptions { Timeout = Short });
        var socket = await routed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var notice = ui.Page.GetByTestId("tail-notice");
        Assert.DoesNotMatch(MissedPattern(), await notice.TextContentAsync() ?? string.Empty);

        var now = TimeProvider.System.GetUtcNow();
        var shown = new UiLog(300_000, now, "web", "web-7", 6, "seq=300000 kept after the drops");
        socket.Send(DropFrame(shown, dropped: 250, remembered: 100));
        await ui.Page
            .Locator("[data-testid=result-row]", new PageLocatorOptions { HasText = shown.Body })
            .WaitForAsync(new LocatorWaitForOptions { Timeout = Short });
        Assert.Equal("250", await MissedAsync(ui));

        socket.Send(DropFrame(shown with { Seq = 300_001, Time = now.AddSeconds(1), Body = "seq=300001 kept" }, dropped: 7, remembered: 7));
        await ui.Page.WaitForFunctionAsync(
            "() => /\\b257 missed\\b/.test(document.querySelector('[data-testid=tail-notice]').textContent)",
            null,
            new PageWaitForFunctionOptions { Timeout = Short });
        Assert.Equal("257", await MissedAsync(ui));

        // A Loki-shaped frame has no dropped_count: its dropped_entries are counted.
        socket.Send(DropFrame(shown with { Seq = 300_002, Time = now.AddSeconds(2), Body = "seq=300002 kept" }, dropped: null, remembered: 3));
        await ui.Page.WaitForFunctionAsync(
            "() => /\\b260 missed\\b/.test(document.querySelector('[data-testid=tail-notice]').textContent)",
            null,
            new PageWaitForFunctionOptions { Timeout = Short });
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task LiveTailHoldsNewLinesWhileScrolledDownAndShowsThemNewestFirstBackAtTheTop(string browser)
    {
        await using var ui = await OpenAsync(browser);
        await ui.GotoAsync("{}");
        int before = await ui.RowCountAsync();
        await ui.Page.GetByTestId("tail-toggle").ClickAsync();
        await ui.Page.Locator("[data-testid=tail-toggle][data-state=open]").WaitForAsync(new LocatorWaitForOptions { Timeout = Short });

        await ui.Page.GetByTestId("results").HoverAsync();
        await ui.Page.Mouse.WheelAsync(0, 600);
        await ui.Page.WaitForFunctionAsync(
            "() => document.querySelector('[data-testid=results-scroller]').scrollTop > 100",
            null,
            new PageWaitForFunctionOptions { Timeout = Short });

        // Two lines share a label set around one of another: one tail frame groups them, out of time order.
        string marker = $"held-{Guid.NewGuid():N}";
        var now = TimeProvider.System.GetUtcNow();
        List<UiLog> sent =
        [
            new(200_001, now.AddSeconds(-3), "web", "web-9", 3, $"seq=200001 {marker}"),
            new(200_002, now.AddSeconds(-2), "db", "db-9", 3, $"seq=200002 {marker}"),
            new(200_003, now.AddSeconds(-1), "web", "web-9", 3, $"seq=200003 {marker}"),
        ];
        await UiTraffic.SendAsync(fixture.Collector.Tcp, sent);
        await ui.Page.WaitForFunctionAsync(
            "() => /\\b3 new lines above\\b/.test(document.querySelector('[data-testid=tail-notice]').textContent)",
            null,
            new PageWaitForFunctionOptions { Timeout = Short });
        Assert.Equal(0, await ui.Page.Locator("[data-testid=result-row]", new PageLocatorOptions { HasText = marker }).CountAsync());
        Assert.Equal(before, await ui.RowCountAsync());
        Assert.True(
            await ui.Page.EvaluateAsync<bool>("() => " +
                "document.querySelector('[data-testid=results-scroller]').scrollTop > 100"),
            "the view stayed where it was scrolled to");

        await ui.Page.Mouse.WheelAsync(0, -5_000);
        await ui.Page.WaitForFunctionAsync(
            $"() => document.querySelectorAll('[data-testid=result-row]').length === {before + sent.Count}",
            null,
            new PageWaitForFunctionOptions { Timeout = Short });
        var top = (await ui.MessagesAsync()).Take(sent.Count).Select(UiLog.SeqOf);
        Assert.Equal(sent.Select(l => l.Seq).OrderDescending(), top);
        Assert.DoesNotContain(
            "new lines above",
            await ui.Page.GetByTestId("tail-notice").TextContentAsync() ?? string.Empty,
            StringComparison.Ordinal);
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheOrderSelectShowsOldestFirstAndKeepsItInTheUrl(string browser)
    {
        await using var ui = await OpenAsync(browser);
        const string Query = "{namespace=\"db\"} |= \"timeout\"";
        var expected = fixture.Logs
            .Where(l => l.Namespace == "db" && l.Body.Contains("timeout", StringComparison.Ordinal))
            .Select(l => l.Seq)
            .ToList();
        await ui.GotoAsync(Query);
        Assert.Equal(expected.OrderDescending(), (await ui.MessagesAsync()).Select(UiLog.SeqOf));

        await ui.Page.GetByTestId("direction").SelectOptionAsync("forward");
        await ui.Page.WaitForURLAsync(new Regex("direction=forward"), new PageWaitForURLOptions { Timeout = Short });
        await ui.SettledAsync();
        Assert.Equal(expected.Order(), (await ui.MessagesAsync()).Select(UiLog.SeqOf));

        await ui.Page.ReloadAsync();
        await ui.SettledAsync();
        Assert.Equal("forward", await ui.Page.GetByTestId("direction").InputValueAsync());
        Assert.Equal(expected.Order(), (await ui.MessagesAsync()).Select(UiLog.SeqOf));
        ui.AssertClean();
    }

    [Theory, InChromium, InFirefox]
    public async Task TheTailPutsNewLinesOnTopSoItSwitchesOldestFirstToNewestFirstAndBack(string browser)
    {
        await using var ui = await OpenAsync(browser);
        const string Query = "{namespace=\"db\"} |= \"timeout\"";
        var expected = fixture.Logs
            .Where(l => l.Namespace == "db" && l.Body.Contains("timeout", StringComparison.Ordinal))
            .Select(l => l.Seq)
            .ToList();
        await ui.Page.GotoAsync($"/?query={Uri.EscapeDataString(Query)}&range=1h&direction=forward");
        await ui.SettledAsync();
        Assert.Equal(expected.Order(), (await ui.MessagesAsync()).Select(UiLog.SeqOf));

        // Switching the tail on turns the order to newest first, searches again and then tails.
        await ui.Page.GetByTestId("tail-toggle").ClickAsync();
        await ui.Page.Locator("[data-testid=tail-toggle][data-state=open]").WaitForAsync(new LocatorWaitForOptions { Timeout = Short });
        Assert.Equal("backward", await ui.Page.GetByTestId("direction").InputValueAsync());
        Assert.DoesNotContain("direction=forward", ui.Page.Url, StringComparison.Ordinal);
        Assert.Equal(expected.OrderDescending(), (await ui.MessagesAsync()).Select(UiLog.SeqOf));

        // Choosing oldest first while tailing stops the tail and says why.
        await ui.Page.GetByTestId("direction").SelectOptionAsync("forward");
        await ui.Page.WaitForFunctionAsync(
            "() => document.querySelector('[data-testid=tail-toggle]').getAttribute('aria-pressed') === 'false'",
            null,
            new PageWaitForFunctionOptions { Timeout = Short });
        await ui.SettledAsync();
        Assert.Contains("oldest first", await ui.Page.GetByTestId("tail-notice").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(expected.Order(), (await ui.MessagesAsync()).Select(UiLog.SeqOf));
        ui.AssertClean();
    }

    /// <summary>
    /// Waits until the suggestion list shows <paramref name="expected"/> (all of one kind) and returns it.
    /// </summary>
    private static async Task<string[]> SuggestionsAsync(UiPage ui, string kind, string[] expected)
    {
        const string Read = "kind => { const list = document.querySelector('ul.suggestions');"
            + " const items = [...list.querySelectorAll('[data-testid=suggestion]')];"
            + " return list.hidden || !items.every(li => li.querySelector('.kind').textContent === kind)"
            + " ? [] : items.map(li => li.firstChild.nodeValue); }";
        Assert.NotEmpty(expected);
        try
        {
            await ui.Page.WaitForFunctionAsync(
                $"a => JSON.stringify(({Read})(a.kind)) === JSON.stringify(a.expected)",
                new { kind, expected },
                new PageWaitForFunctionOptions { Timeout = Short });
        }
        catch (TimeoutException)
        {
            // Show what was offered instead.
            Assert.Equal(expected, await ui.Page.EvaluateAsync<string[]>(Read, kind));
        }

        return expected;
    }

    private static async Task ChooseByKeyboardAsync(UiPage ui, string[] offered, string choice, string key)
    {
        int index = Array.IndexOf(offered, choice);
        Assert.True(index >= 0, $"{choice} among {string.Join(", ", offered)}");
        for (int i = 0; i <= index; i++)
        {
            await ui.Page.Keyboard.PressAsync("ArrowDown");
        }

        await ui.Page.Keyboard.PressAsync(key);
    }

    private static Task<int> CaretAsync(UiPage ui) => ui.Page.GetByTestId("query-input").EvaluateAsync<int>("e => e.selectionStart");

    private async Task<string[]> ApiListAsync(string path)
    {
        using var http = new HttpClient();
        using var body = JsonDocument.Parse(await http.GetStringAsync(fixture.Collector.BaseUrl + path));
        return body.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    /// <summary>
    /// A frame as TailEndpoints.SendFrameAsync writes it: the line, up to 100 dropped entries and the exact count.
    /// </summary>
    private static string DropFrame(UiLog shown, int? dropped, int remembered)
    {
        JsonObject Labels(UiLog log) => new()
        {
            ["namespace"] = log.Namespace,
            ["pod"] = log.Pod,
            ["container"] = "main",
            ["severity"] = UiLog.SeverityNames[log.Severity],
        };
        string Ns(DateTimeOffset time) => ((time.ToUnixTimeMilliseconds() * 1_000_000) + 123).ToString(CultureInfo.InvariantCulture);
        var drops = new JsonArray();
        for (int i = 0; i < remembered; i++)
        {
            var lost = shown with { Seq = shown.Seq - 1000 + i, Pod = $"{shown.Namespace}-{i % 4}", Time = shown.Time.AddMilliseconds(-1000 + i) };
            drops.Add(new JsonObject { ["labels"] = Labels(lost), ["timestamp"] = Ns(lost.Time) });
        }

        var frame = new JsonObject
        {
            ["streams"] = new JsonArray(new JsonObject
            {
                ["stream"] = Labels(shown),
                ["values"] = new JsonArray(new JsonArray(Ns(shown.Time), shown.Body)),
            }),
            ["dropped_entries"] = drops,
        };
        if (dropped is int count)
        {
            frame["dropped_count"] = count;
        }

        return frame.ToJsonString();
    }

    private static async Task<string> MissedAsync(UiPage ui)
    {
        var match = MissedPattern().Match(await ui.Page.GetByTestId("tail-notice").TextContentAsync() ?? string.Empty);
        Assert.True(match.Success, "the notice says how many were missed");
        return match.Groups[1].Value;
    }

    private static DateTimeOffset WholeSecond(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    // A second earlier is still between the same two lines: they are 5 s apart, the time 2-3 s before the later.
    private static DateTimeOffset OffTheMinute(DateTimeOffset time) => time.Second == 0 ? time.AddSeconds(-1) : time;

    /// <summary>
    /// The value a datetime-local input holds for <paramref name="time"/> in the browser's time zone.
    /// </summary>
    private static async Task<string> LocalInputAsync(UiPage ui, DateTimeOffset time)
    {
        int offset = await ui.Page.EvaluateAsync<int>("ms => new Date(ms).getTimezoneOffset()", time.ToUnixTimeMilliseconds());
        return time.ToOffset(TimeSpan.FromMinutes(-offset)).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
    }

    // Chromium drops ":00" seconds from a datetime-local value.
    private static async Task<string> InputTimeAsync(UiPage ui, string testId)
    {
        string value = await ui.Page.GetByTestId(testId).InputValueAsync();
        return value.Length == 16 ? value + ":00" : value;
    }

    private static string? QueryOf(string url) => QueryHelpers.ParseQuery(new Uri(url).Query).TryGetValue("query", out var q) ? q.ToString() : null;

    private static DateTimeOffset? UrlTime(string url, string name) =>
        QueryHelpers.ParseQuery(new Uri(url).Query).TryGetValue(name, out var v)
            && DateTimeOffset.TryParse(
                v.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t
                : null;

    private async Task<UiPage> OpenAsync(string browser) => await UiPage.OpenAsync(await fixture.BrowserAsync(browser), fixture.Collector.BaseUrl);

    [GeneratedRegex(@"\b(\d+) missed\b")]
    private static partial Regex MissedPattern();
}
