using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Chaos;

/// <summary>
/// Every line of the Collector's messages files, oldest file first (<c>messages.N[.gz]</c> … <c>messages.1</c>,
/// <c>messages</c>), taken apart into what the chaos run checks: the line's number (<see cref="ChaosLine"/>) and its
/// origin element (<c>[o@32473 s="ID" p="FROM-TO"]</c>, docs/sources.md).
/// </summary>
public static partial class StoredLines
{
    /// <summary>The messages file and its rotated generations that exist, oldest first.</summary>
    public static List<string> Files(string messages)
    {
        string directory = Path.GetDirectoryName(messages)!;
        string prefix = Path.GetFileName(messages) + ".";
        var rotated = new List<(int Index, string Path)>();
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            string suffix = name[prefix.Length..];
            if (suffix.EndsWith(".gz", StringComparison.Ordinal))
            {
                suffix = suffix[..^3];
            }

            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                rotated.Add((index, path));
            }
        }

        var files = rotated.OrderByDescending(r => r.Index).Select(r => r.Path).ToList();
        if (File.Exists(messages))
        {
            files.Add(messages);
        }

        return files;
    }

    /// <summary>Each stored line in file order; a line still being written (no LF yet) is left out.</summary>
    public static IEnumerable<StoredLine> Read(string messages)
    {
        foreach (string path in Files(messages))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using Stream plain = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
            using var reader = new StreamReader(plain);
            while (reader.ReadLine() is { } line)
            {
                if (reader.EndOfStream && !EndsWithNewline(path))
                {
                    break;
                }

                yield return Parse(line);
            }
        }
    }

    public static StoredLine Parse(string line)
    {
        var origin = Origin().Match(line);
        var key = ChaosLine.Parse(TestSupport.StoredMessage.Of(line));
        return new StoredLine(
            line,
            key,
            origin.Success ? origin.Groups[1].Value : null,
            origin.Success ? long.Parse(origin.Groups[2].Value, CultureInfo.InvariantCulture) : -1,
            origin.Success ? long.Parse(origin.Groups[3].Value, CultureInfo.InvariantCulture) : -1);
    }

    private static bool EndsWithNewline(string path)
    {
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            return true;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length == 0)
        {
            return true;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }

    [GeneratedRegex(@"\[o@32473 s=""([0-9a-f]{16})"" p=""([0-9]+)-([0-9]+)""(?: f=""(?:[^""\\]|\\.)*"")?\]")]
    private static partial Regex Origin();
}

/// <summary>
/// A stored line: its number (null when it is not a chaos line) and its origin (null source when it has none).
/// </summary>
public sealed record StoredLine(string Text, (int File, long N)? Key, string? Source, long From, long To);
