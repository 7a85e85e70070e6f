using System.Globalization;
using System.Text;
using Shared.Syslog;
using TestSupport;

namespace Forwarder.Tests.Pipeline;

/// <summary>
/// The whole Forwarder, in this process, tailing a node-shaped tree and shipping to a real TCP listener.
/// </summary>
public sealed class EveryLineArrivesTests
{
    private const int Files = 8;
    private const int LinesPerFile = 50_000;

    [Theory]
    [InlineData(RuntimeFormat.Docker)]
    [InlineData(RuntimeFormat.Cri)]
    public async Task EveryLineOfEightBusyFilesArrivesOnceInOrderWithItsMetadataAndTime(RuntimeFormat format)
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var logs = Enumerable.Range(0, Files)
            .Select(i => tree.AddContainer("shop", $"web-7d9f8c6b5d-x{i:D4}", i % 2 == 0 ? "app" : "side-car", format))
            .ToArray();
        var expected = new List<string>[Files];
        for (int f = 0; f < Files; f++)
        {
            expected[f] = [];
            var lines = new List<string>();
            for (int n = 0; n < LinesPerFile; n++)
            {
                lines.Add(Line(f, n));
            }

            logs[f].AppendMany(lines);
            expected[f].AddRange(lines);
        }

        await using var target = SyslogTestListener.Start(maxFrameLength: 4 << 20);
        await using var forwarder = await RunningForwarder.StartAsync(
            dir, tree.ContainersGlob, [$"tcp://127.0.0.1:{target.TcpPort}"], "--max-line-size", "2MiB");

        // Live appends while it ships the backlog: stderr lines between the pieces of a split stdout line.
        for (int f = 0; f < Files; f++)
        {
            string big = Line(f, LinesPerFile) + new string('é', 600_000);
            string err = Line(f, LinesPerFile + 1) + " on stderr";
            AppendInterleaved(logs[f], big, err);
            expected[f].Add(big);
            expected[f].Add(err);
        }

        int total = expected.Sum(e => e.Count);
        var frames = await target.WaitForFramesAsync(total, TimeSpan.FromSeconds(120));
        Assert.Empty(target.Errors);
        Assert.Equal(total, frames.Count);

        var byPod = frames.Select(f => ReceivedMessage.Parse(f.Payload)).GroupBy(m => m.Pod!).ToDictionary(g => g.Key, g => g.ToList());
        for (int f = 0; f < Files; f++)
        {
            var got = byPod[logs[f].Pod];
            var stdout = got.Where(m => m.Syslog.MsgId == "stdout").Select(m => m.Text).ToList();
            var stderr = got.Where(m => m.Syslog.MsgId == "stderr").Select(m => m.Text).ToList();
            Assert.Equal(expected[f].Take(LinesPerFile + 1), stdout);
            Assert.Equal([expected[f][^1]], stderr);

            var first = got[0];
            Assert.Equal("shop", first.Namespace);
            Assert.Equal(logs[f].Container, first.Container);
            Assert.Equal(logs[f].Container, first.Syslog.AppName);
            Assert.Equal(logs[f].Id, first.Param("k8s@32473", "container_id"));
            Assert.Equal(logs[f].Uid, first.Param("k8s@32473", "pod_uid"));
            Assert.Equal("node-1", first.Syslog.HostName);
            Assert.Equal(Severity.Informational, first.Syslog.Severity);
            Assert.Equal(Severity.Error, got.First(m => m.Syslog.MsgId == "stderr").Syslog.Severity);
            Assert.Equal(ContainerLog.SyslogTimeOf(0), first.Syslog.Timestamp.ToString());
            Assert.Equal(ContainerLog.SyslogTimeOf(LinesPerFile - 1), got[LinesPerFile - 1].Syslog.Timestamp.ToString());
        }
    }

    private static string Line(int file, int n) => n % 1000 == 999
        ? $"f{file}-{n:D6} {new string('x', 40_000)} 日本語 ✓ end"
        : string.Create(CultureInfo.InvariantCulture, $"f{file}-{n:D6} GET /api/v1/items?id={n} 200 {n % 97}ms \"quoted\" \\ back ü");

    private static void AppendInterleaved(ContainerLog log, string longStdout, string stderrLine)
    {
        string pieces = log.Render(longStdout, 1_000_000, stderr: false);
        string err = log.Render(stderrLine, 1_000_001, stderr: true);
        var lines = pieces.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var text = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            text.Append(lines[i]).Append('\n');
            if (i == 0)
            {
                text.Append(err);
            }
        }

        File.AppendAllText(log.RealPath, text.ToString(), new UTF8Encoding(false));
    }
}
