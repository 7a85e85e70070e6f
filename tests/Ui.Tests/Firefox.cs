using Microsoft.Playwright;
using TestSupport;
using Xunit.Sdk;

namespace Ui.Tests;

/// <summary>
/// Debian's Firefox ESR, driven by Playwright over WebDriver BiDi (the <c>moz-firefox</c> channel: a stock Firefox,
/// not Playwright's patched build, which cannot be downloaded here). Skipped with the reason when it is missing,
/// unless <c>REQUIRE_PEERS=1</c> (CI), where the tests run and fail.
/// </summary>
public static class Firefox
{
    public const string Install = "apt-get install -y --no-install-recommends firefox-esr";

    public static string? Path =>
        File.Exists("/usr/lib/firefox-esr/firefox-esr") ? "/usr/lib/firefox-esr/firefox-esr" : Peers.Find("firefox-esr") ?? Peers.Find("firefox");

    public static string? SkipReason => Peers.Required || Path is not null
        ? null
        : $"needs Firefox ({Install}); set REQUIRE_PEERS=1 to fail instead of skipping";

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        string path = Path ?? throw new InvalidOperationException($"Firefox not found at /usr/lib/firefox-esr/firefox-esr or on PATH: {Install}");
        return await playwright.Firefox.LaunchAsync(new BrowserTypeLaunchOptions
        {
            Channel = "moz-firefox",
            ExecutablePath = path,
            Headless = true,

            // No update checks, telemetry or remote settings: this machine's network is closed and the tests must not
            // wait on it (nor send anything off 127.0.0.1).
            FirefoxUserPrefs = new Dictionary<string, object>
            {
                ["app.update.enabled"] = false,
                ["browser.shell.checkDefaultBrowser"] = false,
                ["datareporting.policy.dataSubmissionEnabled"] = false,
                ["toolkit.telemetry.enabled"] = false,
                ["network.captive-portal-service.enabled"] = false,
                ["network.connectivity-service.enabled"] = false,
            },
        });
    }
}

/// <summary>
/// A theory row that runs the test in Firefox; the row is skipped with the reason when it is missing.
/// </summary>
public sealed class InFirefoxAttribute : DataAttribute
{
    public const string Name = "firefox";

    public InFirefoxAttribute() => Skip = Firefox.SkipReason;

    public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) => [[Name]];
}
