using System.Text;
using System.Text.Json;
using TestSupport;
using Xunit.Sdk;

namespace Collector.Tests.Search.Conformance;

/// <summary>
/// Grafana's LogQL parser, @grafana/lezer-logql, run by Node.js through tests/tools/lezer-logql/parse.mjs (a real
/// process; .ci/run installs Debian's nodejs and runs <c>npm ci</c> there).
/// </summary>
public static class LezerLogQl
{
    public static string ToolDirectory => Path.Combine(Repository.Root, "tests", "tools", "lezer-logql");

    /// <summary>
    /// Why the comparison cannot run here, or null when it can; null under REQUIRE_PEERS=1 too, so that a missing
    /// tool fails the test.
    /// </summary>
    public static string? SkipReason()
    {
        if (Peers.Required)
        {
            return null;
        }

        if (Peers.Find("node") is null)
        {
            return "needs node (Debian's nodejs; .ci/run installs it); set REQUIRE_PEERS=1 to fail instead of skipping";
        }

        return Directory.Exists(Path.Combine(ToolDirectory, "node_modules", "@grafana", "lezer-logql"))
            ? null
            : $"needs @grafana/lezer-logql: run `npm ci` in {ToolDirectory} (.ci/run does); " +
                "set REQUIRE_PEERS=1 to fail instead of skipping";
    }

    /// <summary>For each query, in order: whether lezer parses it without an error node.</summary>
    public static async Task<IReadOnlyList<bool>> AcceptsAsync(IReadOnlyList<string> queries)
    {
        string node = Peers.Require("node");
        if (!Directory.Exists(Path.Combine(ToolDirectory, "node_modules", "@grafana", "lezer-logql")))
        {
            throw new XunitException($"@grafana/lezer-logql is not installed: run `npm ci` in {ToolDirectory}");
        }

        var input = new StringBuilder();
        foreach (string query in queries)
        {
            input.Append(JsonSerializer.Serialize(query)).Append('\n');
        }

        var result = await ProcessRunner.RunAsync(
            node, [Path.Combine(ToolDirectory, "parse.mjs")], TimeSpan.FromSeconds(60), Encoding.UTF8.GetBytes(input.ToString()));
        if (result.ExitCode != 0)
        {
            throw new XunitException($"parse.mjs exited with {result.ExitCode}: {result.StandardError}");
        }

        string[] answers = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (answers.Length != queries.Count || answers.Any(a => a != "ok" && !a.StartsWith("error ", StringComparison.Ordinal)))
        {
            throw new XunitException(
                $"parse.mjs answered {answers.Length} lines for {queries.Count} queries:\n{result.StandardOutput}{result.StandardError}");
        }

        return answers.Select(a => a == "ok").ToList();
    }
}
