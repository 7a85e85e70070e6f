using System.Text.RegularExpressions;

namespace Deploy.Tests.Docs;

/// <summary>The README is the front door: short, and every relative link in it and in docs/ leads somewhere.</summary>
public sealed partial class DocumentationTests
{
    private const int MaxReadmeLines = 250;

    [Fact]
    public void TheReadmeHasAtMost250Lines()
    {
        var lines = File.ReadAllLines(Repository.File("README.md")).Length;

        Assert.True(lines <= MaxReadmeLines, $"README.md has {lines} lines; move detail into docs/ (at most {MaxReadmeLines}).");
    }

    [Fact]
    public void TheReadmeKeepsBothQuickStartCommands()
    {
        var readme = Repository.ReadText("README.md");

        Assert.Contains("\ndeploy/local/run.sh\n", readme, StringComparison.Ordinal);
        Assert.Contains("\ntests/run\n", readme, StringComparison.Ordinal);
        Assert.True(File.Exists(Repository.File("deploy/local/run.sh")));
        Assert.True(File.Exists(Repository.File("tests/run")));
    }

    [Fact]
    public void EveryRelativeLinkInTheReadmeAndDocsPointsToAnExistingFileAndHeading()
    {
        var files = DocumentationFiles();
        var problems = files.SelectMany(f => MarkdownLinks.Check(Repository.Root, f)).ToList();

        Assert.True(problems.Count == 0, "Broken links:\n" + string.Join('\n', problems));
        Assert.True(files.Count >= 10, $"expected the README and the docs pages, found {files.Count} files");
    }

    [Fact]
    public void EveryDocsPageIsLinkedFromTheReadmeOrTheDocsIndex()
    {
        var linked = new[] { "README.md", "docs/README.md" }
            .SelectMany(f => MarkdownLinks.Links(Repository.ReadText(f))
                .Select(l => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Repository.File(f))!, l.Target.Split('#')[0]))))
            .ToHashSet(StringComparer.Ordinal);

        var orphans = Directory.GetFiles(Repository.File("docs"), "*.md")
            .Where(p => Path.GetFileName(p) != "README.md" && !linked.Contains(Path.GetFullPath(p)))
            .Select(p => Path.GetRelativePath(Repository.Root, p))
            .ToList();

        Assert.True(orphans.Count == 0, "Not linked from README.md or docs/README.md: " + string.Join(", ", orphans));
    }

    [Fact]
    public void EveryPathOfTheBenchmarkScriptsNamedInTheDocsExists()
    {
        var missing = DocumentationFiles()
            .SelectMany(f => BenchmarkPath().Matches(File.ReadAllText(f)).Select(m => (File: f, Path: m.Value.TrimEnd('.', ','))))
            .Where(x => !File.Exists(Repository.File(x.Path)) && !Directory.Exists(Repository.File(x.Path)))
            .Select(x => $"{Path.GetRelativePath(Repository.Root, x.File)}: {x.Path}")
            .Distinct()
            .ToList();

        Assert.True(missing.Count == 0, "Named but not in the repository:\n" + string.Join('\n', missing));
    }

    private static List<string> DocumentationFiles() =>
        [
            Repository.File("README.md"),
            .. Directory.GetFiles(Repository.File("docs"), "*.md").Order(StringComparer.Ordinal),
            Repository.File("tests/Benchmarks/sidebyside/README.md"),
        ];

    [GeneratedRegex(@"tests/Benchmarks/[A-Za-z0-9_./-]+")]
    private static partial Regex BenchmarkPath();
}
