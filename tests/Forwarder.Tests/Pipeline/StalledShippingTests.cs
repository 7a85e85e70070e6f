using System.Net;
using TestSupport;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// A real Forwarder whose target is down reports not ready on /readyz, with the reason, once the stall timeout has
/// passed, and ready again once the target is back and takes the lines; /healthz (liveness) stays ok throughout.
/// </summary>
public sealed class StalledShippingTests
{
    [Fact]
    public async Task ReadinessFailsWithTheReasonWhileTheTargetIsDownAndRecoversWhenItComesBack()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("default", "api-0", "api", RuntimeFormat.Cri);
        int port = LoopbackTcpReceiver.ReservePort();
        await using var forwarder = await RotationTests.StartAsync(dir, tree, port, "--stall-timeout", "1s", "--max-retry-delay", "500ms");
        using var http = new HttpClient();
        var ready = new Uri(forwarder.Http, "/readyz");

        // Nothing to send yet: a target that is down stalls nothing.
        Assert.Equal("ready\n", await http.GetStringAsync(ready));

        var lines = RotationTests.Lines("waiting", 50);
        log.AppendMany(lines);
        // The last line may first be held by the multiline joiner (it cannot know the event ended) until its flush
        // timeout: the reason counts it as waiting from then on.
        string reason = await AnswerAsync(
            http,
            ready,
            HttpStatusCode.ServiceUnavailable,
            "a 503 from /readyz naming all 50 lines",
            body => body.StartsWith("not shipping: 50 lines waiting and nothing delivered for ", StringComparison.Ordinal));
        Assert.Contains($"now sending to tcp://127.0.0.1:{port}; last error: ", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("last error: none", reason, StringComparison.Ordinal);
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri(forwarder.Http, "/healthz")));

        await using var target = SyslogTestListener.Start(port: port);
        Assert.Equal("ready\n", await AnswerAsync(http, ready, HttpStatusCode.OK, "a 200 from /readyz once the target is back"));
        Assert.Equal(lines, await RotationTests.TextsAsync(target, lines.Count));
        Assert.Equal("ready\n", await http.GetStringAsync(ready));
    }

    [Fact]
    public void AStallTimeoutOutsideItsRangeStopsTheStartWithTheKeyNamed()
    {
        using var dir = TempDirectory.Create();
        var app = ForwarderApp.Build(["--stall-timeout", "500ms", "--state", dir.Combine("state")], out var errors);
        Assert.Null(app);
        Assert.StartsWith("Forwarder:StallTimeout must be a duration from 1s to 1d", Assert.Single(errors), StringComparison.Ordinal);
    }

    /// <summary>
    /// Asks until the status is <paramref name="expected"/> and the body passes <paramref name="bodyIs"/>
    /// (30 s at most); returns the body.
    /// </summary>
    private static async Task<string> AnswerAsync(
        HttpClient http,
        Uri uri,
        HttpStatusCode expected,
        string what,
        Func<string, bool>? bodyIs = null)
    {
        long deadline = Environment.TickCount64 + 30_000;
        string last = "no answer";
        while (Environment.TickCount64 < deadline)
        {
            using var response = await http.GetAsync(uri);
            string body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == expected && (bodyIs is null || bodyIs(body)))
            {
                return body;
            }

            last = $"{(int)response.StatusCode} {body}";
            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"no {what} within 30 s; last answer: {last}");
    }
}
