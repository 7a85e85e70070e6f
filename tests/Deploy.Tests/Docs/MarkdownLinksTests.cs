using TestSupport;

namespace Deploy.Tests.Docs;

/// <summary>
/// The link checker itself, on small Markdown trees in a temp directory: it must find what is broken.
/// </summary>
public sealed class MarkdownLinksTests
{
    [Fact]
    public void ALinkToAMissingFileIsReportedWithItsLine()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("README.md"), "# Title\n\nSee [the guide](docs/guide.md).\n");

        var problem = Assert.Single(MarkdownLinks.Check(dir.Path, dir.Combine("README.md")));

        Assert.Equal(3, problem.Line);
        Assert.Equal("docs/guide.md", problem.Target);
        Assert.Equal("no such file or folder", problem.Reason);
    }

    [Fact]
    public void ALinkToAMissingHeadingIsReportedAndAnExistingOneIsNot()
    {
        using var dir = TempDirectory.Create();
        Directory.CreateDirectory(dir.Combine("docs"));
        File.WriteAllText(dir.Combine("docs", "api.md"), "# API\n\n## Query language\n\n## `GET /v1/log`: Gravity's wstail\n");
        File.WriteAllText(dir.Combine("README.md"),
            "[ok](docs/api.md#query-language) [code](docs/api.md#get-v1log-gravitys-wstail) [bad](docs/api.md#queries)\n");

        var problem = Assert.Single(MarkdownLinks.Check(dir.Path, dir.Combine("README.md")));

        Assert.Equal("docs/api.md#queries", problem.Target);
        Assert.Contains("#queries", problem.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnchorInTheSameFileIsChecked()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("page.md"), "# Page\n\n## HTTP\n\n[up](#http) [gone](#https)\n");

        var problem = Assert.Single(MarkdownLinks.Check(dir.Path, dir.Combine("page.md")));

        Assert.Equal("#https", problem.Target);
    }

    [Fact]
    public void ALinkLeavingTheRepositoryIsReportedEvenWhenTheFileExists()
    {
        using var dir = TempDirectory.Create();
        Directory.CreateDirectory(dir.Combine("repo"));
        File.WriteAllText(dir.Combine("outside.md"), "# Outside\n");
        File.WriteAllText(dir.Combine("repo", "README.md"), "[notes](../outside.md)\n");

        var problem = Assert.Single(MarkdownLinks.Check(dir.Combine("repo"), dir.Combine("repo", "README.md")));

        Assert.Equal("points outside the repository", problem.Reason);
    }

    [Fact]
    public void LinksInCodeAndExternalLinksAreNotFollowed()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("README.md"),
            "```\n[a](missing-in-fence.md)\n```\n`[b](missing-in-span.md)` [c](https://example.com/x.md) <http://127.0.0.1:8083/>\n");

        Assert.Empty(MarkdownLinks.Check(dir.Path, dir.Combine("README.md")));
    }

    [Fact]
    public void RepeatedHeadingsGetNumberedAnchorsAsOnGitHub()
    {
        var anchors = MarkdownLinks.Anchors("# Forwarder\n## HTTP\n# Collector\n## HTTP\n```\n## HTTP\n```\n## HTTP\n");

        string[] expected = ["forwarder", "http", "collector", "http-1", "http-2"];
        Assert.True(anchors.SetEquals(expected), string.Join(", ", anchors));
    }

    [Theory]
    [InlineData("Collector: receive syslog, write `/var/log/messages`", "collector-receive-syslog-write-varlogmessages")]
    [InlineData("2026-12-06: side by side with rsyslog, this repository's harness", "2026-12-06-side-by-side-with-rsyslog-this-repositorys-harness")]
    [InlineData("Micro-benchmarks (BenchmarkDotNet)", "micro-benchmarks-benchmarkdotnet")]
    [InlineData("See [deploy](deploy.md) first", "see-deploy-first")]
    public void HeadingsBecomeGitHubAnchors(string heading, string anchor) => Assert.Equal(anchor, MarkdownLinks.Slug(heading));
}
