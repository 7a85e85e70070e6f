namespace Collector.Tests.Search.Conformance;

/// <summary>
/// The queries of logql-corpus.txt (its header describes the format): one per line, a line starting with white space
/// continuing the query above it, '#' lines comments, "# source:" naming where the queries below come from.
/// </summary>
public sealed record LogQlCorpus(IReadOnlyList<LogQlCorpus.Entry> Entries)
{
    public sealed record Entry(string Query, string Source, int Line);

    public static string Directory => Path.Combine(Repository.Root, "tests", "Collector.Tests", "Search", "Conformance");

    public static LogQlCorpus Load() => Parse(File.ReadAllLines(Path.Combine(Directory, "logql-corpus.txt")));

    public static LogQlCorpus Parse(IEnumerable<string> lines)
    {
        var entries = new List<Entry>();
        string source = string.Empty;
        int number = 0;
        foreach (string line in lines)
        {
            number++;
            if (line.StartsWith("# source:", StringComparison.Ordinal))
            {
                source = line["# source:".Length..].Trim();
            }
            else if (line.StartsWith('#') || line.Trim().Length == 0)
            {
                continue;
            }
            else if (char.IsWhiteSpace(line[0]) && entries.Count > 0)
            {
                entries[^1] = entries[^1] with { Query = entries[^1].Query + "\n" + line };
            }
            else
            {
                entries.Add(new Entry(line, source, number));
            }
        }

        return new LogQlCorpus(entries);
    }
}
