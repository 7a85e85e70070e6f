using System.Runtime.Versioning;
using TestSupport;

namespace Deploy.Tests.Benchmarks;

/// <summary>
/// Static checks of the benchmark scripts under tests/Benchmarks. The harness itself is not run here (minutes of
/// full-speed load); these catch a script that no longer parses, lost its execute bit, or names a file that is gone.
/// </summary>
public sealed class SideBySideHarnessTests
{
    private const string Harness = "tests/Benchmarks/sidebyside";

    public static TheoryData<string> Scripts() =>
        [.. Directory.GetFiles(Repository.File("tests/Benchmarks"), "*.sh", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}.state{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(Repository.Root, p))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task EveryBenchmarkScriptParses(string script)
    {
        var result = await ProcessRunner.RunAsync("bash", ["-n", Repository.File(script)], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, $"bash -n {script}: {result.StandardError}");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    [UnsupportedOSPlatform("windows")]
    public void EveryBenchmarkScriptRunnableOnItsOwnIsExecutable(string script)
    {
        var text = File.ReadAllText(Repository.File(script));
        if (!text.StartsWith("#!", StringComparison.Ordinal))
        {
            // Sourced helpers (lib.sh, peers/common.sh) say so in a shellcheck directive instead of a shebang.
            Assert.StartsWith("# shellcheck shell=bash", text, StringComparison.Ordinal);
            return;
        }

        var mode = File.GetUnixFileMode(Repository.File(script));
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute), $"{script} has a shebang but is not executable ({mode})");
    }

    [Fact]
    public void TheHarnessHasItsSetUpRunnerAndOneScriptPerMeasurement()
    {
        string[] expected =
        [
            "setup.sh", "run.sh", "ingest.sh", "forward.sh", "lib.sh", "peers/rsyslog-receiver.sh",
            "peers/rsyslog-forwarder.sh", "tools/verify.py", "tools/summarize.py", "README.md",
        ];
        var missing = expected.Where(f => !File.Exists(Repository.File($"{Harness}/{f}"))).ToList();

        Assert.Empty(missing);
        Assert.True(File.Exists(Repository.File("tests/Benchmarks/search/search-bench.sh")));
        Assert.True(File.Exists(Repository.File("tests/Benchmarks/relay/relay-ingest.sh")));
    }

    [Fact]
    public void EveryScriptAndToolTheRunnerCallsExists()
    {
        var runner = File.ReadAllText(Repository.File($"{Harness}/run.sh"));
        var called = System.Text.RegularExpressions.Regex.Matches(runner, @"\$(?:HERE|ROOT)/(?<path>[A-Za-z0-9_./-]+\.(?:sh|py))")
            .Select(m => m.Groups["path"].Value)
            .Distinct()
            .ToList();

        Assert.Contains("ingest.sh", called);
        Assert.Contains("forward.sh", called);
        var missing = called
            .Where(p => !File.Exists(Repository.File($"{Harness}/{p}")) && !File.Exists(Repository.File(p)))
            .ToList();
        Assert.True(missing.Count == 0, "run.sh calls scripts that do not exist: " + string.Join(", ", missing));
    }

    [Fact]
    public void ThePeersAreUnpackedIntoTheHarnessStateWhichGitIgnores()
    {
        var setup = File.ReadAllText(Repository.File($"{Harness}/setup.sh"));
        var gitignore = File.ReadAllLines(Repository.File(".gitignore"));

        Assert.Contains("apt-get download", setup, StringComparison.Ordinal);
        Assert.Contains("dpkg-deb -x", setup, StringComparison.Ordinal);
        Assert.Contains(".state/", gitignore);
        Assert.Contains("bench-results/", gitignore);
    }
}
