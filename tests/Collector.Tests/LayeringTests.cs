using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace Collector.Tests;

/// <summary>
/// The read side is layered Api → Search → Storage (docs/design-read-side.md): Storage knows nothing of queries or
/// HTTP, and the API sees the stored files only through Search. Checked on the compiled types (namespace = folder),
/// and on the sources for what leaves no trace in the compiled code (a constant is copied into its user).
/// </summary>
public sealed class LayeringTests
{
    private static Types Collector => Types.InAssembly(typeof(CollectorApp).Assembly);

    [Fact]
    public void StorageUsesNeitherSearchNorTheApi()
    {
        Assert.NotEmpty(Collector.That().ResideInNamespace("Collector.Storage.Index").GetTypes());
        var result = Collector.That().ResideInNamespace("Collector.Storage")
            .ShouldNot().HaveDependencyOnAny("Collector.Search", "Collector.Api")
            .GetResult();

        Assert.True(result.IsSuccessful, $"Storage types that use Search or Api: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void TheApiDoesNotReachIntoTheIndex()
    {
        Assert.NotEmpty(Collector.That().ResideInNamespace("Collector.Api").GetTypes());
        var result = Collector.That().ResideInNamespace("Collector.Api")
            .ShouldNot().HaveDependencyOn("Collector.Storage.Index")
            .GetResult();

        Assert.True(result.IsSuccessful, $"API types that use Storage.Index: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    /// <summary>
    /// The checker sees dependencies at all: Search does use the index, so the two rules above can fail.
    /// </summary>
    [Fact]
    public void TheCheckerSeesTheSearchLayersUseOfTheIndex()
    {
        Assert.NotEmpty(Collector.That().ResideInNamespace("Collector.Search").And().HaveDependencyOn("Collector.Storage.Index").GetTypes());
    }

    [Theory]
    [InlineData("Collector/Storage", "Collector.Search")]
    [InlineData("Collector/Storage", "Collector.Api")]
    [InlineData("Collector/Api", "Collector.Storage.Index")]
    public void NoSourceFileInAFolderNamesAForbiddenNamespace(string folder, string forbidden)
    {
        string root = Path.Combine(RepositoryRoot(), folder);
        var sources = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(sources);
        var offending = sources
            .Where(f => File.ReadAllText(f).Contains(forbidden, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f));
        Assert.Empty(offending);
    }

    /// <summary>
    /// Rotated files are named in one place (<c>Storage/MessagesFiles.cs</c>): a suffix literal (<c>".1"</c>,
    /// <c>".gz"</c>), a path plus <c>".N"</c>, or an interpolated <c>{path}.{i}</c> anywhere else is a second copy.
    /// </summary>
    [Fact]
    public void OnlyMessagesFilesSpellsTheRotatedFilesNames()
    {
        var spellings = new Regex(@"""\.(1|gz)""|\+\s*""\.\d|\}\.\{\w+\}(\.gz)?""", RegexOptions.None, TimeSpan.FromSeconds(1));
        string root = Path.Combine(RepositoryRoot(), "Collector");
        string own = Path.Combine("Storage", "MessagesFiles.cs");
        Assert.Matches(spellings, File.ReadAllText(Path.Combine(root, own)));
        var offending = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => f != own)
            .SelectMany(f => File.ReadLines(Path.Combine(root, f)).Select((line, i) => (f, i, line)))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && spellings.IsMatch(l.line))
            .Select(l => $"{l.f}:{l.i + 1}: {l.line.Trim()}");
        Assert.Empty(offending);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "kube-syslog.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"kube-syslog.slnx not found above {AppContext.BaseDirectory}");
    }
}
