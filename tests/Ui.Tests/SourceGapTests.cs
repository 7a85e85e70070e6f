using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Ui.Tests;

/// <summary>
/// A known hole in a pod's lines (docs/sources.md) is marked in the results where it is, in both orders.
/// </summary>
public sealed class SourceGapTests(UiFixture fixture) : IClassFixture<UiFixture>
{
    private const string Gap = "GAP 100 bytes of shop/cart-1/app (node node-3) missing here";

    [Theory, InChromium, InFirefox]
    public async Task AHoleInAPodsLinesIsMarkedBetweenTheLinesAroundIt(string browser)
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var now = TimeProvider.System.GetUtcNow();
        string Message(int i, long from, long to) =>
            string.Create(CultureInfo.InvariantCulture, $"<14>1 {now.AddSeconds(i - 60):yyyy-MM-ddTHH:mm:ss.ffffffZ} node-3 app - stdout ") +
            $"[k8s@32473 namespace=\"shop\" pod=\"cart-1\" container=\"app\"][o@32473 s=\"00000000000000aa\" p=\"{from}-{to}\"] line {i}\n";

        // Bytes 30-130 never arrived. Another pod's line, without an origin, falls between line 2 and line 3: newest
        // first the marker sits right below line 3 (the line after the hole), above it.
        string traffic = Message(0, 0, 10) + Message(1, 10, 20) + Message(2, 20, 30) + Message(3, 130, 140) + Message(4, 140, 150)
            + string.Create(CultureInfo.InvariantCulture, $"<14>1 {now.AddSeconds(-57.5):yyyy-MM-ddTHH:mm:ss.ffffffZ} ")
            + "node-3 app - stdout [k8s@32473 namespace=\"shop\" pod=\"cart-2\" container=\"app\"] other pod\n";
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(collector.Tcp);
            await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(traffic));
        }

        await collector.WaitForLinesAsync(6);
        await Wait.UntilAsync(() => GapListedAsync(collector).Result, "the gap in /api/v1/sources");
        await using var ui = await UiPage.OpenAsync(await fixture.BrowserAsync(browser), collector.BaseUrl);

        await ui.GotoAsync("{namespace=\"shop\"}");
        Assert.Equal(["line 4", "line 3", Gap, "other pod", "line 2", "line 1", "line 0"], await RowsAsync(ui));

        await ui.Page.GotoAsync($"/?query={Uri.EscapeDataString("{pod=\"cart-1\"}")}&range=1h&direction=forward");
        await ui.SettledAsync();
        Assert.Equal(["line 0", "line 1", "line 2", Gap, "line 3", "line 4"], await RowsAsync(ui));
        ui.AssertClean();
    }

    /// <summary>Each row top to bottom: a gap marker's text, or a result row's message.</summary>
    private static async Task<string[]> RowsAsync(UiPage ui) => await ui.Page.EvalOnSelectorAllAsync<string[]>(
        "[data-testid=result-row], [data-testid=gap-row]",
        "rows => rows.map(r => r.dataset.testid === 'gap-row' ? 'GAP ' + r.textContent : " +
        "r.querySelector('[data-testid=message]').textContent)");

    private static async Task<bool> GapListedAsync(RunningCollector collector)
    {
        using var http = new HttpClient();
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{collector.BaseUrl}/api/v1/sources")));
        return json.RootElement.GetProperty("data").GetProperty("totals").GetProperty("gaps").GetInt64() == 1;
    }
}
