using Microsoft.Playwright;
using TestSupport;

namespace Ui.Tests;

/// <summary>
/// One Collector holding <see cref="UiTraffic"/> and one Chromium (and, once asked for, one Firefox) for the whole
/// class; each test gets its own browser context (fresh storage) whose every request is checked to stay on 127.0.0.1.
/// </summary>
public sealed class UiFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = TempDirectory.Create("ui-tests");
    private IPlaywright? _playwright;
    private readonly Lock _sync = new();
    private IBrowser? _browser;
    private Task<IBrowser>? _firefox;

    public RunningCollector Collector { get; private set; } = null!;

    public List<UiLog> Logs { get; private set; } = [];

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(Chromium.SkipReason ?? "Chromium did not start");

    /// <summary>Where screenshots and timings go: UI_ARTIFACTS, or artifacts/ beside the test assembly.</summary>
    public static string Artifacts => Environment.GetEnvironmentVariable("UI_ARTIFACTS") is { Length: > 0 } dir
        ? dir : Path.Combine(AppContext.BaseDirectory, "artifacts");

    /// <summary>
    /// The browser of a test row (<see cref="InChromiumAttribute"/>, <see cref="InFirefoxAttribute"/>).
    /// </summary>
    public async Task<IBrowser> BrowserAsync(string name)
    {
        if (name == InChromiumAttribute.Name)
        {
            return Browser;
        }

        Assert.Equal(InFirefoxAttribute.Name, name);
        lock (_sync)
        {
            _firefox ??= LaunchFirefoxAsync();
        }

        return await _firefox;
    }

    private async Task<IBrowser> LaunchFirefoxAsync()
    {
        _playwright ??= await Microsoft.Playwright.Playwright.CreateAsync();
        return await Firefox.LaunchAsync(_playwright);
    }

    public async Task InitializeAsync()
    {
        Collector = await RunningCollector.StartAsync(_directory);
        Logs = UiTraffic.Create(TimeProvider.System.GetUtcNow());
        await UiTraffic.SendAsync(Collector.Tcp, Logs);
        await Collector.WaitForLinesAsync(Logs.Count);
        if (Chromium.SkipReason is null)
        {
            (_playwright, _browser) = await Chromium.LaunchAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        if (_firefox is { IsCompletedSuccessfully: true })
        {
            await (await _firefox).CloseAsync();
        }

        _playwright?.Dispose();
        await Collector.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>
/// A page in its own context; records requests that tried to leave 127.0.0.1 (and aborts them) and script errors.
/// </summary>
public sealed class UiPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private UiPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> Foreign { get; } = [];

    public List<string> Requests { get; } = [];

    public List<string> Errors { get; } = [];

    /// <summary>A page of 1400×900 CSS pixels, or taller by <paramref name="height"/> (for a screenshot).</summary>
    public static async Task<UiPage> OpenAsync(IBrowser browser, string baseUrl, int height = 900)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = height },
        });
        var page = await context.NewPageAsync();
        var ui = new UiPage(context, page);
        await context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            lock (ui.Requests)
            {
                ui.Requests.Add(route.Request.Url);
            }

            if (url.Host != "127.0.0.1")
            {
                lock (ui.Foreign)
                {
                    ui.Foreign.Add(route.Request.Url);
                }

                await route.AbortAsync();
                return;
            }

            await route.ContinueAsync();
        });
        page.PageError += (_, error) => ui.Errors.Add(error);
        return ui;
    }

    public Task<int> RowCountAsync() => Page.Locator("[data-testid=result-row]").CountAsync();

    /// <summary>The message shown in every result row, top to bottom.</summary>
    public async Task<string[]> MessagesAsync() =>
        await Page.EvalOnSelectorAllAsync<string[]>("[data-testid=result-row] [data-testid=message]", "cells => cells.map(c => c.textContent)");

    /// <summary>The pod identity (<c>namespace/pod/container</c>) shown in every result row, top to bottom.</summary>
    public async Task<string[]> PodsAsync() =>
        await Page.EvalOnSelectorAllAsync<string[]>("[data-testid=result-row] td.identity", "cells => cells.map(c => c.textContent)");

    /// <summary>Waits until the last query finished (status no longer "Searching…").</summary>
    public Task SettledAsync() => Page.WaitForFunctionAsync(
        "() => { const s = document.querySelector('[data-testid=status]').textContent; const e = " +
        "document.querySelector('[data-testid=error]'); return (s && s !== 'Searching…') || !e.hidden; }");

    public async Task GotoAsync(string query, string range = "1h")
    {
        await Page.GotoAsync($"/?query={Uri.EscapeDataString(query)}&range={range}");
        await SettledAsync();
    }

    /// <summary>
    /// Saves a screenshot. In Firefox (over WebDriver BiDi) Playwright prepares the page with a &lt;style&gt; element,
    /// which the UI's CSP (<c>style-src 'self'</c>) rightly refuses: that report comes from the harness, not the UI,
    /// and is not counted as a script error.
    /// </summary>
    public async Task ScreenshotAsync(string path)
    {
        int before = Errors.Count;
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        var during = Errors.Skip(before).Where(e => !(e.StartsWith("Content-Security-Policy:", StringComparison.Ordinal)
            && e.Contains("inline style (style-src-elem)", StringComparison.Ordinal))).ToList();
        Errors.RemoveRange(before, Errors.Count - before);
        Errors.AddRange(during);
    }

    /// <summary>No request left 127.0.0.1 and no script error happened.</summary>
    public void AssertClean()
    {
        Assert.True(Foreign.Count == 0, $"requests left 127.0.0.1: {string.Join(", ", Foreign)}");
        Assert.True(Errors.Count == 0, $"script errors: {string.Join("\n", Errors)}");
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
