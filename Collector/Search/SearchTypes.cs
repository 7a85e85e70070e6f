using System.Globalization;
using Collector.Storage.Index;

namespace Collector.Search;

/// <summary>
/// A place in the stored text: a file (by content key, so it survives rotation) and a byte offset in it.
/// </summary>
public readonly record struct SearchPosition(FileKey File, long Offset)
{
    /// <summary>
    /// <c>b.</c> or <c>f.</c> (the direction it continues in), the file key, the offset: opaque to clients.
    /// </summary>
    public string ToCursor(bool backward) =>
        $"{(backward ? 'b' : 'f')}.{File.Name}.{Offset.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParseCursor(string text, bool backward, out SearchPosition position)
    {
        position = default;
        var parts = text.Split('.');
        if (parts.Length != 3 || parts[0] != (backward ? "b" : "f")
            || !FileKey.TryParse(parts[1], out var key)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
        {
            return false;
        }

        position = new SearchPosition(key, offset);
        return true;
    }
}

/// <summary>
/// What to find: lines matching <see cref="Query"/> with <see cref="StartNs"/> ≤ time &lt; <see cref="EndNs"/>, in
/// storage (arrival) order, newest first when <see cref="Backward"/>, at most <see cref="Limit"/> of them.
/// </summary>
public sealed record SearchRequest(LogQuery Query, long StartNs, long EndNs, int Limit, bool Backward)
{
    /// <summary>Continue after the previous page (a position returned as <see cref="SearchResult.Next"/>).</summary>
    public SearchPosition? Cursor { get; init; }

    /// <summary>
    /// Nothing at or after this position is read (the seam between a tail's history and its live lines).
    /// </summary>
    public SearchPosition? Until { get; init; }

    /// <summary>Stop (with a cursor) once the lines found add up to this many bytes.</summary>
    public long MaxBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Stop (with a cursor, marked partial) after this long.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(30);
}

public sealed class SearchStats
{
    public long BytesScanned { get; set; }

    /// <summary>Decompressed only to get past blocks the index ruled out (gzip cannot seek).</summary>
    public long BytesSkippedInGzip { get; set; }

    public long LinesScanned { get; set; }

    public int Files { get; set; }

    public long Blocks { get; set; }

    public long BlocksSkipped { get; set; }

    /// <summary>
    /// The time budget or byte cap ended the search before the limit: <see cref="SearchResult.Next"/> goes on.
    /// </summary>
    public bool Partial { get; set; }

    public TimeSpan Duration { get; set; }
}

public sealed class SearchResult(List<LogEntry> entries, SearchPosition? next, SearchStats stats)
{
    public List<LogEntry> Entries => entries;

    /// <summary>Where the next page starts; null when the range is exhausted.</summary>
    public SearchPosition? Next => next;

    public SearchStats Stats => stats;
}
