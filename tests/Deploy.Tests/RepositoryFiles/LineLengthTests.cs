using TestSupport;

namespace Deploy.Tests.RepositoryFiles;

/// <summary>Every tracked C# file keeps to the line lengths .editorconfig asks for.</summary>
public sealed class LineLengthTests
{
    // .editorconfig sets max_line_length = 120, which editors draw as a guide and wrap to. Code may still run to 150:
    // a test's expected output is often one long string literal (a syslog frame, a rendered line, an error message)
    // that is easier to compare whole than split with '+'. Comments have no such excuse, so they keep to 120.
    private const int CodeLineLimit = 150;
    private const int CommentLineLimit = 120;

    [Fact]
    public async Task NoCodeLineIsOver150AndNoCommentLineOver120()
    {
        var files = await TrackedCSharpFilesAsync();
        Assert.Contains("tests/Deploy.Tests/RepositoryFiles/RepositoryFileTests.cs", files);

        var tooLong = new List<string>();
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(Path.Combine(Repository.Root, file)))
            {
                number++;
                // Runes, not UTF-16 units: an editor counts an emoji as one column.
                var length = line.EnumerateRunes().Count();
                var isComment = line.TrimStart().StartsWith("//", StringComparison.Ordinal);
                var limit = isComment ? CommentLineLimit : CodeLineLimit;
                if (length > limit)
                {
                    var kind = isComment ? "a comment" : "code";
                    tooLong.Add($"{file}:{number}: {length} characters, over {limit} for {kind}");
                }
            }
        }

        Assert.True(tooLong.Count == 0, $"{tooLong.Count} lines too long:\n" + string.Join('\n', tooLong));
    }

    [Fact]
    public void EditorConfigAsksEditorsFor120()
    {
        var lines = File.ReadAllLines(Repository.File(".editorconfig"));
        var csharp = lines.SkipWhile(l => l != "[*.cs]").Skip(1).TakeWhile(l => !l.StartsWith('['));

        Assert.Contains($"max_line_length = {CommentLineLimit}", csharp);
    }

    private static async Task<List<string>> TrackedCSharpFilesAsync()
    {
        var result = await ProcessRunner.RunAsync(
            "git", ["-C", Repository.Root, "ls-files", "-z", "*.cs"], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"git ls-files failed: {result.StandardError}");
        return [.. result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }
}
