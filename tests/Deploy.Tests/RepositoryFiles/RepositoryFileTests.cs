using TestSupport;

namespace Deploy.Tests.RepositoryFiles;

/// <summary>What a fresh clone holds: nothing that points outside it, no debug output.</summary>
public sealed class RepositoryFileTests
{
    // Built from parts so this file does not match its own search.
    private static readonly string[] OutsideFolders = [string.Concat("..", "/", "shared"), string.Concat("..", "\\", "shared")];

    private static readonly HashSet<string> SkippedDirectories =
        new(StringComparer.Ordinal)
        {
            ".git", "bin", "obj", "out", "data", "bench-results", "TestResults", "BenchmarkDotNet.Artifacts", ".state",
            "artifacts", "node_modules", ".vs", ".idea",
        };

    [Fact]
    public void NothingInTheRepositoryRefersToAFolderOutsideIt()
    {
        var files = RepositoryFiles(Repository.Root).ToList();
        var hits = files
            .Select(f => (
                File: f,
                Lines: File.ReadLines(f)
                    .Select((text, i) => (text, i))
                    .Where(l => OutsideFolders.Any(o => l.text.Contains(o, StringComparison.Ordinal)))
                    .ToList()))
            .SelectMany(x => x.Lines.Select(l => $"{Path.GetRelativePath(Repository.Root, x.File)}:{l.i + 1}: {l.text.Trim()}"))
            .ToList();

        Assert.True(hits.Count == 0, "A clone has no such folder:\n" + string.Join('\n', hits));
        Assert.Contains(files, f => f.EndsWith("README.md", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoLogFileIsTrackedAndGitIgnoresThem()
    {
        Assert.Contains("*.log", File.ReadAllLines(Repository.File(".gitignore")));

        var result = await ProcessRunner.RunAsync("git", ["-C", Repository.Root, "ls-files", "*.log"], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"git ls-files failed: {result.StandardError}");
        Assert.Equal(string.Empty, result.StandardOutput.Trim());
    }

    private static IEnumerable<string> RepositoryFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var info = new FileInfo(file);
            if (info.Length < 4 * 1024 * 1024 && !IsBinary(file))
            {
                yield return file;
            }
        }

        foreach (var sub in Directory.EnumerateDirectories(directory))
        {
            if (!SkippedDirectories.Contains(Path.GetFileName(sub)) && !new DirectoryInfo(sub).Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                foreach (var file in RepositoryFiles(sub))
                {
                    yield return file;
                }
            }
        }
    }

    private static bool IsBinary(string file)
    {
        Span<byte> head = stackalloc byte[8000];
        using var stream = File.OpenRead(file);
        var read = stream.Read(head);
        return head[..read].Contains((byte)0);
    }
}
