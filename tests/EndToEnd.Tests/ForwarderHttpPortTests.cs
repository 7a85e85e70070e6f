using System.Text.RegularExpressions;
using TestSupport;

namespace EndToEnd.Tests;

public partial class ForwarderHttpPortTests
{
    /// <summary>
    /// With <c>--http 127.0.0.1:0</c> the log is the only place that says which port the system chose.
    /// </summary>
    [Fact]
    public async Task TheLogNamesThePortTheSystemChose()
    {
        using var directory = TempDirectory.Create();
        await using var process = ForegroundProcess.Start("dotnet",
        [
            Binaries.ForwarderDll, "--include", directory.Combine("*.log"), "--state", directory.Combine("state"),
            "--to", "tcp://127.0.0.1:9", "--http", "127.0.0.1:0",
        ]);

        Match match = Match.Empty;
        await Wait.UntilAsync(() => (match = HttpLine().Match(process.Output)).Success || process.HasExited, "the HTTP line in the log");
        Assert.True(match.Success, process.Output);

        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri($"http://127.0.0.1:{match.Groups[1].Value}/healthz")));
    }

    [GeneratedRegex(@"HTTP \(healthz, metrics\) on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex HttpLine();
}
