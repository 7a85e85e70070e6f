using System.Globalization;
using Microsoft.Playwright;
using TestSupport;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Ui.Tests;

/// <summary>
/// Times the UI on a large stored data set, in each browser: a measurement, not a test, run by
/// <c>tests/Benchmarks/ui/ui-timing.sh</c> (which sets <c>UI_PERF_DATA=DIR</c> holding <c>messages*</c> from
/// <c>tests/Benchmarks/search/generate.py DIR/messages 1024 0</c>: 1 GiB in 4 plain files, 200 pods over 2026-11-21).
/// Without <c>UI_PERF_DATA</c> it is not discovered at all. Reports, from the browser's Performance API, the time from
/// Enter to the first results rendered and to the histogram drawn.
/// </summary>
public sealed class StoredDataTimingTests(ITestOutputHelper output)
{
    [StoredDataFact]
    public Task OnePodOverTwentyFourHoursIsTimedInChromium() => TimeAsync(InChromiumAttribute.Name);

    [StoredDataFact]
    public Task OnePodOverTwentyFourHoursIsTimedInFirefox() => TimeAsync(InFirefoxAttribute.Name);

    private async Task TimeAsync(string name)
    {
        string data = Environment.GetEnvironmentVariable("UI_PERF_DATA")!;
        await using var collector = await RunningCollector.StartAsync(Path.Combine(data, "messages"), null, "--compress", "false");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = name == InFirefoxAttribute.Name
            ? await Firefox.LaunchAsync(playwright)
            : await playwright.Chromium.LaunchAsync(Chromium.LaunchOptions());
        try
        {
            await using var ui = await UiPage.OpenAsync(browser, collector.BaseUrl);
            await ui.Page.GotoAsync("/?query=%7B%7D&from=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z");
            await ui.Page.Locator("[data-testid=result-row]").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
            var results = new List<double>();
            var histograms = new List<double>();
            var volumeAnswered = new List<double>();
            for (int run = 0; run < 7; run++)
            {
                string pod = $"ns-{run:00}-pod-{(run * 10) + 3:000}";
                await ui.Page.GetByTestId("query-input").FillAsync($"{{pod=\"{pod}\"}}");
                await ui.Page.GetByTestId("query-input").PressAsync("Enter");
                await ui.Page.WaitForFunctionAsync(
                    "() => performance.getEntriesByName('ks-results').length > 0 && performance.getEntriesByName('ks-histogram').length > 0",
                    null, new PageWaitForFunctionOptions { Timeout = 60_000 });
                results.Add(await ui.Page.EvaluateAsync<double>("() => performance.getEntriesByName('ks-results')[0].duration"));
                histograms.Add(await ui.Page.EvaluateAsync<double>("() => performance.getEntriesByName('ks-histogram')[0].duration"));

                // When the volume_range answer had arrived (Resource Timing): the rest up to "drawn" is the browser's.
                volumeAnswered.Add(await ui.Page.EvaluateAsync<double>("""
                    () => {
                      const run = performance.getEntriesByName('ks-run')[0].startTime;
                      const volume = performance.getEntriesByType('resource').filter(
                          e => e.name.includes('/api/v1/volume_range') && e.startTime >= run);
                      return volume.length ? volume[volume.length - 1].responseEnd - run : -1;
                    }
                    """));
                Assert.Equal(100, await ui.RowCountAsync());
            }

            long bytes = Directory.GetFiles(data, "messages*").Sum(f => new FileInfo(f).Length);
            var invariant = CultureInfo.InvariantCulture;
            string line =
                string.Create(invariant, $"{name}: {bytes >> 20} MiB stored, one pod over 24 h, ")
                + string.Create(invariant, $"Enter to first 100 rows rendered: median {Median(results):0} ms ")
                + string.Create(invariant, $"(max {results.Max():0}); ")
                + string.Create(invariant, $"to histogram drawn: median {Median(histograms):0} ms ")
                + string.Create(invariant, $"(max {histograms.Max():0}; ")
                + string.Create(invariant, $"its answer in by {Median(volumeAnswered):0} ms); ")
                + "7 pods, after a first query that built the indexes";
            output.WriteLine(line);
            Directory.CreateDirectory(UiFixture.Artifacts);
            await File.AppendAllTextAsync(Path.Combine(UiFixture.Artifacts, "timings.txt"), line + "\n");
            ui.AssertClean();
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

/// <summary>
/// Discovered only with <c>UI_PERF_DATA</c> set: a measurement for the benchmark script, not part of the suite.
/// </summary>
[XunitTestCaseDiscoverer("Ui.Tests.StoredDataFactDiscoverer", "Ui.Tests")]
public sealed class StoredDataFactAttribute : FactAttribute
{
    public StoredDataFactAttribute() => Skip = Chromium.SkipReason ?? Firefox.SkipReason;
}

public sealed class StoredDataFactDiscoverer(IMessageSink sink) : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _fact = new(sink);

    public IEnumerable<IXunitTestCase> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        ITestMethod testMethod,
        IAttributeInfo factAttribute) =>
        Environment.GetEnvironmentVariable("UI_PERF_DATA") is { Length: > 0 } ? _fact.Discover(discoveryOptions, testMethod, factAttribute) : [];
}
