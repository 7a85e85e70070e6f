using System.Text.Json;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>The Forwarder executable as an operator meets it: --help, a bad setting, a stop by SIGTERM.</summary>
public sealed class ForwarderCommandLineTests
{
    [Fact]
    public async Task HelpListsTheSwitchesAndExitsZero()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [Binaries.ForwarderDll, "--help"]);
        Assert.Equal(0, result.ExitCode);
        string[] switches =
        [
            "--include <GLOB>", "--exclude <GLOB>", "--to <URI>", "--state <DIR>", "--node <NAME>",
            "--http <HOST:PORT>", "--start-at",
        ];
        foreach (string name in switches)
        {
            Assert.Contains(name, result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ABadSettingExitsOneNamingTheKeyAndTheValue()
    {
        using var dir = TempDirectory.Create();
        var result = await ProcessRunner.RunAsync("dotnet", [Binaries.ForwarderDll, "--to", "http://collector:80", "--state", dir.Combine("state")]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(
            "Forwarder: configuration error: Forwarder:Targets:0 has an unknown scheme 'http' (relp, relp+tls, tls, tcp, " +
            "tcp+lf or udp), was 'http://collector:80'",
            result.StandardError,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigtermShipsWhatWasReadSavesTheOffsetsAndExitsZero()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("shop", "web-0", "app", RuntimeFormat.Cri);
        await using var target = SyslogTestListener.Start();
        string state = dir.Combine("state");
        await using var forwarder = await ForwarderProcess.StartAsync(tree.ContainersGlob, [$"tcp://127.0.0.1:{target.TcpPort}"], state);
        log.AppendMany(Enumerable.Range(0, 500).Select(i => $"line {i}"));
        await target.WaitForFramesAsync(500);

        Assert.Equal(0, await forwarder.TerminateAsync(TimeSpan.FromSeconds(20)));

        using var checkpoints = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(state, "checkpoints.json")));
        var file = Assert.Single(checkpoints.RootElement.GetProperty("files").EnumerateArray());
        Assert.Equal(new FileInfo(log.RealPath).Length, file.GetProperty("offset").GetInt64());
        Assert.Equal(log.LinkPath, file.GetProperty("path").GetString());
    }
}
