using System.Text;
using Collector.Storage;

namespace Collector.Search;

/// <summary>
/// One stored line as the API hands it out, from a search or a tail: its time, its labels (indexed by
/// <see cref="LogLabel"/>) and the line.
/// </summary>
public sealed record LogEntry(long TimeNs, string[] Labels, string Line)
{
    public static LogEntry Of(ReadOnlySpan<byte> line, in StoredLine parsed) =>
        new(parsed.TimeNs, parsed.LabelStrings(), Encoding.UTF8.GetString(line));
}
