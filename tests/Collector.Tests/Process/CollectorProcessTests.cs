using System.Net.Sockets;
using TestSupport;

namespace Collector.Tests.Process;

public sealed class CollectorProcessTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OnSigtermEveryMessageReadBeforeTheStopIsOnDisk(bool octetCounted)
    {
        // LF framing too: a line the stop cuts has no LF yet, and it must not be stored as if it were whole.
        using var dir = TempDirectory.Create($"sigterm-{(octetCounted ? "octet" : "lf")}");
        string file = dir.Combine("messages");
        await using var collector = await CollectorProcess.StartAsync(file);
        using var client = new TcpClient();
        await client.ConnectAsync(collector.Tcp!);
        var stream = client.GetStream();
        using var stop = new CancellationTokenSource();
        int sent = 0;
        var sending = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await SequencedMessages.SendAsync(stream, 1, sent, 500, octetCounted);
                    sent += 500;
                }
            }
            catch (IOException)
            {
                // The Collector closed the connection while we were sending: expected during the stop.
            }
        });

        await Wait.UntilAsync(() => File.Exists(file) && RunningCollector.CountLines(file) >= 20_000, "20,000 lines on disk");
        long beforeStop = RunningCollector.CountLines(file);
        int exitCode = await collector.TerminateAsync();
        stop.Cancel();
        await Wait.ForAsync(sending, "the sender to stop");

        Assert.Equal(0, exitCode);
        Assert.Contains("Storage drained", collector.Output, StringComparison.Ordinal);

        // What is on disk is every message from the first up to where the Collector stopped reading, with no gap
        // and no duplicate; the last frame may have been cut by the stop, and then it is marked as truncated.
        var lines = RunningCollector.ReadLines(file);
        var intact = lines.Where(l => !l.Contains("truncated=", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length - intact.Length <= 1, $"{lines.Length - intact.Length} truncated lines");
        Assert.True(intact.Length >= beforeStop, $"{intact.Length} lines after the stop, {beforeStop} before it");
        Assert.Null(SequencedMessages.Verify(intact, new Dictionary<int, int> { [1] = intact.Length }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // nohup: started with SIGHUP ignored, which the process inherits; rsyslogd reopens there too
    public async Task SighupReopensTheFileAndKeepsRunning(bool underNohup)
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("messages");
        await using var collector = underNohup
            ? await CollectorProcess.StartCommandAsync("nohup", [CollectorProcess.Executable], file)
            : await CollectorProcess.StartAsync(file);
        using var client = new TcpClient();
        await client.ConnectAsync(collector.Tcp!);
        await SequencedMessages.SendAsync(client.GetStream(), 8, 0, 10, octetCounted: true);
        await Wait.UntilAsync(() => RunningCollector.CountLines(file) >= 10, "the first 10 lines");

        await collector.SignalAsync("HUP");
        await Wait.UntilAsync(() => collector.Output.Contains("Reopening", StringComparison.Ordinal), "the Collector to reopen its file");
        await SequencedMessages.SendAsync(client.GetStream(), 8, 10, 10, octetCounted: true);
        await Wait.UntilAsync(() => RunningCollector.CountLines(file) >= 20, "10 more lines after SIGHUP");
        client.Dispose();

        Assert.Equal(0, await collector.TerminateAsync());
        Assert.Null(SequencedMessages.Verify(RunningCollector.ReadLines(file), new Dictionary<int, int> { [8] = 20 }));
    }

    [Fact]
    public async Task ARestartAppendsToTheExistingFile()
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("messages");
        for (int run = 0; run < 2; run++)
        {
            await using var collector = await CollectorProcess.StartAsync(file);
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(collector.Tcp!);
                await SequencedMessages.SendAsync(client.GetStream(), 2, run * 100, 100, octetCounted: true);
            }

            await Wait.UntilAsync(() => RunningCollector.CountLines(file) >= (run + 1) * 100, "the messages of this run");
            Assert.Equal(0, await collector.TerminateAsync());
        }

        Assert.Null(SequencedMessages.Verify(RunningCollector.ReadLines(file), new Dictionary<int, int> { [2] = 200 }));
        Assert.Equal(200, RunningCollector.CountLines(file));
    }

    [Theory]
    [InlineData("--max-files", "lots", "Collector:MaxFiles must be a whole number from 0 to 1000, was 'lots'")]
    [InlineData("--tcp", "300.1.1.1:514", "Collector:Tcp must be HOST:PORT")]
    [InlineData("--udp", "127.0.0.1:70000", "Collector:Udp must be HOST:PORT")]
    [InlineData("--max-file-size", "12 parsecs", "Collector:MaxFileSize must be a size of at least 1KiB, was '12 parsecs'")]
    [InlineData("--format", "xml", "Collector:Format must be file, traditional or rfc5424, was 'xml'")]
    [InlineData("--idle-timeout", "soon", "Collector:IdleTimeout must be a duration")]
    [InlineData("--frobnicate", "1", "unknown argument '--frobnicate'")]
    public async Task ABadSettingExitsWithCode1AndNamesTheKeyAndValue(string name, string value, string expected)
    {
        using var dir = TempDirectory.Create();
        var result = await CollectorProcess.RunAsync(name, value, "--file", dir.Combine("messages"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("messages")));
    }

    [Fact]
    public async Task ABadSettingInTheEnvironmentIsReportedByItsKey()
    {
        using var dir = TempDirectory.Create();
        var info = new System.Diagnostics.ProcessStartInfo(CollectorProcess.Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        info.ArgumentList.Add("--file");
        info.ArgumentList.Add(dir.Combine("messages"));
        info.Environment["Collector__MaxConnections"] = "-5";
        using var process = System.Diagnostics.Process.Start(info)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await Wait.ForAsync(process.WaitForExitAsync(), "the Collector to exit");
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("Collector:MaxConnections must be a whole number from 1 to 1000000, was '-5'", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tcp")]
    [InlineData("Udp")]
    [InlineData("Http")]
    [InlineData("Relp")]
    public async Task APortInUseExitsWithCode1NamingTheKeyAndTheEndpoint(string key)
    {
        // The operator must learn which of the four listeners clashed: Kestrel alone says "http://…" for TCP syslog
        // too.
        using var dir = TempDirectory.Create($"in-use-{key}");
        using var tcp = new TcpListener(System.Net.IPAddress.Loopback, 0);
        tcp.Start();
        using var udp = new UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        string taken = (key == "Udp" ? udp.Client.LocalEndPoint : tcp.LocalEndpoint)!.ToString()!;
        string Endpoint(string name) => name == key ? taken : "127.0.0.1:0";

        var result = await CollectorProcess.RunAsync(
            "--tcp", Endpoint("Tcp"), "--udp", Endpoint("Udp"), "--http", Endpoint("Http"), "--relp", Endpoint("Relp"),
            "--file", dir.Combine("messages"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"Collector: cannot start: Collector:{key} cannot be bound, was '{taken}'", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpListsEverySwitchAndExitsWithCode0()
    {
        var result = await CollectorProcess.RunAsync("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (var s in Collector.Configuration.CommandLine.Switches)
        {
            Assert.Contains(s.Name, result.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Contains("/metrics", result.StandardOutput, StringComparison.Ordinal);
    }
}
