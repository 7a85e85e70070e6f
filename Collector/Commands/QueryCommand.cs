using Collector.Search;

namespace Collector.Commands;

/// <summary>
/// <c>Collector query</c>: the newest matching lines of the last <c>--since</c>, printed oldest first (the order
/// <c>less</c> and a terminal are read in), page after page until <c>--limit</c>.
/// </summary>
public static class QueryCommand
{
    public static async Task<int> RunAsync(
        LocalSearch search, TimeSpan since, int limit, bool colour, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        long now = (TimeProvider.System.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        long start = now - (since.Ticks * 100);
        var found = new List<LogEntry>();
        SearchPosition? cursor = null;
        do
        {
            var request = new SearchRequest(search.Query, start, long.MaxValue, limit - found.Count, Backward: true)
            {
                Cursor = cursor,
                Budget = TimeSpan.FromMinutes(10),
            };
            var result = search.Engine.Search(request, cancellationToken);
            found.AddRange(result.Entries);
            cursor = result.Next;
        }
        while (cursor is not null && found.Count < limit);

        for (int i = found.Count - 1; i >= 0; i--)
        {
            await output.WriteLineAsync(ConsoleLine.Render(System.Text.Encoding.UTF8.GetBytes(found[i].Line), colour));
        }

        if (cursor is not null)
        {
            await error.WriteLineAsync($"Collector query: the newest {limit} lines printed; --limit N prints more");
        }

        return 0;
    }
}
