using System.Net.Sockets;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Process;

/// <summary>
/// The benchmarks and the container image run the Collector compiled ahead of time (PublishAot), where trimming can
/// break what reflection-based code does at run time. This publishes it natively and checks the binary end to end.
/// </summary>
public sealed class NativeBuildTests
{
    [Fact]
    public async Task ThePublishedNativeBinaryStoresMessagesLogsJsonAndStopsCleanly()
    {
        using var dir = TempDirectory.Create();
        string project = Path.Combine(RepositoryRoot(), "Collector", "Collector.csproj");
        string output = dir.Combine("out");

        // The solution is already built by tests/run; building the references again here would race the other tests.
        var publish = await ProcessRunner.RunAsync(
            "dotnet",
            ["publish", project, "-c", "Release", "-o", output, "-p:BuildProjectReferences=false", "-nologo", "-clp:ErrorsOnly"],
            TimeSpan.FromMinutes(8));
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed:\n{publish.StandardOutput}\n{publish.StandardError}");
        Assert.False(File.Exists(Path.Combine(output, "Collector.dll")), "the publish was not native");

        string file = dir.Combine("messages");
        await using var collector = await CollectorProcess.StartExecutableAsync(Path.Combine(output, "Collector"), file, "--log-format", "json");
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(collector.Tcp!);
            await SequencedMessages.SendAsync(client.GetStream(), 3, 0, 1000, octetCounted: true);
        }

        await Wait.UntilAsync(() => File.Exists(file) && RunningCollector.CountLines(file) >= 1000, "1000 lines from the native binary");
        Assert.Equal(0, await collector.TerminateAsync());
        Assert.Null(SequencedMessages.Verify(RunningCollector.ReadLines(file), new Dictionary<int, int> { [3] = 1000 }));

        // Its own log is one JSON object per line on stdout.
        var logLines = collector.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(logLines);
        foreach (var line in logLines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.True(json.RootElement.TryGetProperty("Level", out _), line);
        }

        Assert.Contains(logLines, l => l.Contains("Storage drained", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "kube-syslog.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("kube-syslog.slnx not found above " + AppContext.BaseDirectory);
    }
}
