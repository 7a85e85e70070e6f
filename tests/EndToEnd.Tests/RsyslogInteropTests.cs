using System.Globalization;
using TestSupport;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>The Forwarder shipping to a real, private rsyslogd (imtcp), in both TCP framings rsyslog reads.</summary>
public sealed class RsyslogInteropTests
{
    private const int LinesPerFile = 100;

    /// <summary>
    /// Every field rsyslog parsed, TAB-separated (rsyslog escapes a TAB inside a field as #011), MSG untouched.
    /// </summary>
    private const string Template = @"%timestamp:::date-rfc3339%\t%hostname%\t%app-name%\t%msgid%\t%structured-data%\t%msg%\n";

    [PeerTheory("rsyslogd")]
    [InlineData("tcp")]
    [InlineData("tcp+lf")]
    public async Task RsyslogReceivesEveryLineIntactWithItsKubernetesFields(string scheme)
    {
        using var dir = TempDirectory.Create($"rsyslog-{scheme}");
        var tree = new NodeLogTree(dir);
        var logs = Enumerable.Range(0, 4)
            .Select(f => tree.AddContainer("shop", $"cart-{f}", f == 3 ? "envoy" : "app", f % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri))
            .ToArray();
        var expected = new List<string>();
        foreach (var (log, f) in logs.Select((l, i) => (l, i)))
        {
            for (int n = 0; n < LinesPerFile; n++)
            {
                bool stderr = n % 10 == 3;
                string text = Text(f, n);
                Assert.Equal(n, log.Append(text, stderr));
                expected.Add(string.Join('\t', ContainerLog.SyslogTimeOf(n), ForwarderProcess.Node, log.Container, stderr ? "stderr" : "stdout",
                    $"[k8s@32473 namespace=\"shop\" pod=\"{log.Pod}\" container=\"{log.Container}\" " +
                    $"container_id=\"{log.Id}\" pod_uid=\"{log.Uid}\"]", text));
            }
        }

        await using var rsyslog = await RsyslogProcess.StartAsync(dir, Template);
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob,
            [$"{scheme}://127.0.0.1:{rsyslog.TcpPort}"],
            dir.Combine("state"));
        try
        {
            await Wait.UntilAsync(
                () => rsyslog.ReadLines().Count >= expected.Count,
                $"{expected.Count} lines in rsyslog's file",
                TimeSpan.FromSeconds(30));
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message} Have {rsyslog.ReadLines().Count}." +
                $"\nrsyslogd said:\n{rsyslog.Diagnostics}\nForwarder said:\n{forwarder.Output}");
        }

        // TCP keeps each file's order, and the Forwarder reads files concurrently: compare per pod, in order.
        var lines = rsyslog.ReadLines().Select(OriginElements.Strip).ToList();
        Assert.Equal(expected.Count, lines.Count);
        foreach (var log in logs)
        {
            var want = expected.Where(l => l.Contains($"pod=\"{log.Pod}\"", StringComparison.Ordinal)).ToList();
            var got = lines.Where(l => l.Contains($"pod=\"{log.Pod}\"", StringComparison.Ordinal)).ToList();
            for (int i = 0; i < Math.Max(want.Count, got.Count); i++)
            {
                string? w = i < want.Count ? want[i] : null;
                string? g = i < got.Count ? got[i] : null;
                if (w != g)
                {
                    int at = (w ?? string.Empty).AsSpan().CommonPrefixLength(g ?? string.Empty);
                    Assert.Fail($"{log.Pod} line {i} differs at char {at}:\nexpected: {Shorten(w)}\nactual:   {Shorten(g)}");
                }
            }
        }
    }

    /// <summary>
    /// UTF-8, quotes, backslashes, brackets and an SD-looking text; every 25th line 20 KiB (two runtime pieces).
    /// </summary>
    private static string Text(int f, int n) => n % 25 == 24
        ? $"f{f}-{n:D3} long {string.Concat(Enumerable.Repeat("0123456789abcdef", 1280))} end"
        : string.Create(CultureInfo.InvariantCulture, $"f{f}-{n:D3} POST /cart/{n} 201 \"ünïcödé ✓ 日本語\" \\ [x@1 a=\"b\"] -");

    private static string? Shorten(string? line) => line is null || line.Length <= 300 ? line : $"{line[..300]}… ({line.Length} chars)";
}
