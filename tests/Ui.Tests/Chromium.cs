using Microsoft.Playwright;
using TestSupport;

namespace Ui.Tests;

/// <summary>
/// Debian's Chromium, driven by Playwright (which cannot download its own browser here). Tests skip with the reason
/// when it is missing, unless <c>REQUIRE_PEERS=1</c> (CI), where they run and fail.
/// </summary>
public static class Chromium
{
    public const string Install = "apt-get install -y --no-install-recommends chromium fonts-liberation";

    // The binary itself avoids a harmless warning from the /usr/bin/chromium wrapper script.
    public static string? Path =>
        File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : Peers.Find("chromium") ?? Peers.Find("chromium-browser");

    public static string? SkipReason => Peers.Required || Path is not null
        ? null
        : $"needs Chromium ({Install}); set REQUIRE_PEERS=1 to fail instead of skipping";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        string path = Path ?? throw new InvalidOperationException($"Chromium not found at /usr/lib/chromium/chromium or on PATH: {Install}");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
        return (playwright, browser);
    }
}

/// <summary>A fact that drives Chromium: skipped with a reason when it is missing, failed under REQUIRE_PEERS=1.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() => Skip = Chromium.SkipReason;
}
