using Microsoft.Playwright;
using TestSupport;
using Xunit.Sdk;

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
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(LaunchOptions());
        return (playwright, browser);
    }

    public static BrowserTypeLaunchOptions LaunchOptions() => new()
    {
        ExecutablePath = Path ?? throw new InvalidOperationException($"Chromium not found at /usr/lib/chromium/chromium or on PATH: {Install}"),
        Headless = true,
        Args = [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync"],
    };
}

/// <summary>
/// A fact that drives Chromium: skipped with a reason when it is missing, failed under REQUIRE_PEERS=1.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() => Skip = Chromium.SkipReason;
}

/// <summary>
/// A theory row that runs the test in Chromium; the row is skipped with the reason when it is missing.
/// </summary>
public sealed class InChromiumAttribute : DataAttribute
{
    public const string Name = "chromium";

    public InChromiumAttribute() => Skip = Chromium.SkipReason;

    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) => [[Name]];
}
