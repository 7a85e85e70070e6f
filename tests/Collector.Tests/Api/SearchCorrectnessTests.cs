using TestSupport;

namespace Collector.Tests.Api;

/// <summary>
/// The search API against a brute-force scan of the same stored lines: generated queries (selectors, filters, time
/// ranges, both directions) paged through with the cursor must return exactly the expected lines, page by page, over
/// the current file, messages.1 and gzip'd rotated files.
/// </summary>
public sealed class SearchCorrectnessTests
{
    private const int Messages = 6000;

    [Fact]
    public async Task ThreeHundredGeneratedQueriesPageThroughExactlyWhatABruteForceScanFinds()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await StoreAsync(dir);
        var (stored, records) = await StoredAsync(collector);
        Assert.True(File.Exists(collector.FilePath + ".1"), "messages.1 exists");
        Assert.True(File.Exists(collector.FilePath + ".3.gz"), "gzip'd rotated files exist");

        var bySeq = GeneratedLogs.Create(Messages);
        var random = new Random(42);
        using var api = new ApiClient(collector.Http);
        int nonEmpty = 0;
        for (int q = 0; q < 300; q++)
        {
            var query = new RandomQuery(random);
            long min = GeneratedLogs.Epoch.AddHours(-1).UtcTicks, span = TimeSpan.FromHours(19).Ticks;
            long start, end;
            if (random.Next(2) == 0)
            {
                (start, end) = ToNs(min, min + span);
            }
            else
            {
                long from = min + (long)(random.NextDouble() * span);
                (start, end) = ToNs(from, from + TimeSpan.FromMinutes(random.Next(1, 300)).Ticks);
            }

            bool backward = random.Next(2) == 0;
            var expected = Enumerable.Range(0, stored.Count)
                .Where(i => records[i].TimeNs >= start && records[i].TimeNs < end && query.Matches(records[i], stored[i]))
                .Select(i => stored[i]).ToList();
            if (backward)
            {
                expected.Reverse();
            }

            nonEmpty += expected.Count > 0 ? 1 : 0;
            int limit = new[] { 1, 2, 5, 10, 37, 100, 500 }[random.Next(7)];
            limit = Math.Max(limit, (expected.Count + 29) / 30);
            string context = $"query {q}: {query.Text} start={start} end={end} {(backward ? "backward" : "forward")} limit={limit}";
            await PageThroughAsync(
                api,
                query.Text,
                RandomQuery.Time(start, random),
                RandomQuery.Time(end, random),
                backward,
                limit,
                expected,
                bySeq,
                context);
        }

        Assert.True(nonEmpty > 100, $"only {nonEmpty} of 300 queries matched anything");
    }

    [Fact]
    public async Task DeletedOrDamagedIndexesAreRebuiltAndGiveIdenticalResults()
    {
        using var dir = TempDirectory.Create();
        var queries = new List<(string Query, string Direction, string Limit)>();
        var random = new Random(7);
        for (int i = 0; i < 40; i++)
        {
            queries.Add((new RandomQuery(random).Text, random.Next(2) == 0 ? "backward" : "forward", "5000"));
        }

        List<string> before;
        string indexDir;
        await using (var collector = await StoreAsync(dir))
        {
            await StoredAsync(collector);
            before = await RunAllAsync(collector, queries);
            indexDir = Path.Combine(dir.Path, ".messages.index");
        }

        var saved = Directory.GetFiles(indexDir, "*.idx");
        Assert.True(saved.Length >= 5, $"an index per file, have {saved.Length}");

        // Damaged: a flipped byte in the middle of each, one cut short.
        foreach (string file in saved)
        {
            var bytes = File.ReadAllBytes(file);
            bytes[bytes.Length / 2] ^= 0x5a;
            File.WriteAllBytes(file, bytes);
        }

        File.WriteAllBytes(saved[0], File.ReadAllBytes(saved[0])[..10]);
        await using (var collector = await RunningCollector.StartAsync(dir, "--max-file-size", "256KiB", "--max-files", "50"))
        {
            Assert.Equal(before, await RunAllAsync(collector, queries));
        }

        Assert.All(Directory.GetFiles(indexDir, "*.idx"), f => Assert.NotEqual(10, new FileInfo(f).Length));

        // Deleted.
        Directory.Delete(indexDir, recursive: true);
        await using (var collector = await RunningCollector.StartAsync(dir, "--max-file-size", "256KiB", "--max-files", "50"))
        {
            Assert.Equal(before, await RunAllAsync(collector, queries));
            Assert.True(Directory.GetFiles(indexDir, "*.idx").Length >= 5, "indexes are saved again");
        }
    }

    [Fact]
    public async Task AnIndexThatNoLongerMatchesItsFileIsRebuilt()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        var logs = GeneratedLogs.Create(2000);
        using (var client = await collector.ConnectAsync())
        {
            await GeneratedLogs.SendAsync(client.GetStream(), logs);
        }

        await collector.WaitForLinesAsync(2000);
        using var api = new ApiClient(collector.Http);
        var all = (string Name, string? Value)[] () => [("query", "{}"), ("start", "0"), ("limit", "5000"), ("direction", "forward")];
        Assert.Equal(2000, (await api.QueryRangeAsync(all())).Lines.Count());

        // Rewritten from outside with other lines of the same length: the index's tail check notices.
        var lines = collector.ReadLines();
        var replaced = lines.Select(l => l.Replace("seq=", "SEQ=", StringComparison.Ordinal)).ToArray();
        await File.WriteAllTextAsync(collector.FilePath, string.Join('\n', replaced) + "\n");
        var page = await api.QueryRangeAsync(all());
        Assert.Equal(replaced.Order(StringComparer.Ordinal), page.Lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TwoFilesThatStartWithTheSameLinesAreBothSearched()
    {
        // A flood of one identical line (second-resolution timestamps) at the start of both files: the same first
        // 4 KiB, which is what names a file's index.
        using var dir = TempDirectory.Create();
        const string Same = "2026-11-20T00:00:00Z node-1 app: user.info - - the same line again";
        string flood = string.Concat(Enumerable.Repeat(Same + "\n", 100));
        var older = Enumerable.Range(0, 50).Select(i => $"2026-11-20T00:00:01Z node-1 app: user.info - - older unique-{i}").ToList();
        var newer = Enumerable.Range(0, 50).Select(i => $"2026-11-20T00:00:02Z node-1 app: user.info - - newer unique-{i}").ToList();
        await File.WriteAllTextAsync(dir.Combine("messages.1"), flood + string.Concat(older.Select(l => l + "\n")));
        await File.WriteAllTextAsync(dir.Combine("messages"), flood + string.Concat(newer.Select(l => l + "\n")));
        await using var collector = await RunningCollector.StartAsync(dir);
        using var api = new ApiClient(collector.Http);
        for (int round = 0; round < 2; round++)
        {
            // The lines themselves, not their number: one file searched with the other's index (or twice) can give
            // 100 and 200 lines too.
            var page = await api.QueryRangeAsync(("query", "{} |= \"unique-\""), ("start", "0"), ("limit", "1000"), ("direction", "forward"));
            Assert.Equal([.. older, .. newer], page.Lines);
            var same = (await api.QueryRangeAsync(("query", "{} |= \"the same line\""), ("start", "0"), ("limit", "1000"))).Lines.ToList();
            Assert.Equal(Enumerable.Repeat(Same, 200), same);
        }
    }

    private static async Task<RunningCollector> StoreAsync(TempDirectory dir)
    {
        var collector = await RunningCollector.StartAsync(dir, "--max-file-size", "256KiB", "--max-files", "50");
        using var client = await collector.ConnectAsync();
        await GeneratedLogs.SendAsync(client.GetStream(), GeneratedLogs.Create(Messages));
        return collector;
    }

    private static async Task<(List<string> Stored, List<GeneratedLog> Records)> StoredAsync(RunningCollector collector)
    {
        var logs = GeneratedLogs.Create(Messages);
        await Wait.UntilAsync(
            () => GeneratedLogs.CompressionSettled(collector.FilePath) && GeneratedLogs.ReadStoredLines(collector.FilePath).Count == Messages,
            $"{Messages} lines stored and rotated files compressed",
            TimeSpan.FromSeconds(60));
        var stored = GeneratedLogs.ReadStoredLines(collector.FilePath);
        return (stored, stored.Select(l => logs[GeneratedLogs.SeqOf(l)]).ToList());
    }

    private static async Task<List<string>> RunAllAsync(RunningCollector collector, List<(string Query, string Direction, string Limit)> queries)
    {
        using var api = new ApiClient(collector.Http);
        var results = new List<string>();
        foreach (var (query, direction, limit) in queries)
        {
            var page = await api.QueryRangeAsync(("query", query), ("start", "0"), ("limit", limit), ("direction", direction));
            results.Add($"{query} {direction}: {string.Join('\n', page.Lines.Order(StringComparer.Ordinal))}");
        }

        return results;
    }

    private static async Task PageThroughAsync(
        ApiClient api,
        string query,
        string start,
        string end,
        bool backward,
        int limit,
        List<string> expected,
        List<GeneratedLog> bySeq,
        string context)
    {
        int offset = 0;
        string? cursor = null;
        for (int pageNumber = 0; ; pageNumber++)
        {
            Assert.True(pageNumber <= 40, $"{context}: too many pages");
            var page = await api.QueryRangeAsync(
                ("query", query), ("start", start), ("end", end), ("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("direction", backward ? "backward" : "forward"), ("cursor", cursor));
            var lines = page.Lines.ToList();
            Assert.True(lines.Count <= limit, $"{context}: page of {lines.Count}");
            Assert.True(offset + lines.Count <= expected.Count, $"{context}: more lines than expected ({offset}+{lines.Count} > {expected.Count})");
            var slice = expected.GetRange(offset, lines.Count);
            Assert.True(
                slice.Order(StringComparer.Ordinal).SequenceEqual(lines.Order(StringComparer.Ordinal)),
                $"{context}: page {pageNumber} differs from lines {offset}..{offset + lines.Count} of the brute-force result");

            // Within a stream, the search order; each line's labels and time are the generated ones.
            var position = slice.Select((line, i) => (line, i)).ToDictionary(x => x.line, x => x.i);
            foreach (var (labels, values) in page.Streams)
            {
                var indexes = values.Select(v => position[v.Line]).ToList();
                Assert.True(indexes.SequenceEqual(indexes.Order()), $"{context}: a stream is out of order");
                foreach (var (ns, line) in values)
                {
                    var record = bySeq[GeneratedLogs.SeqOf(line)];
                    Assert.Equal(record.TimeNs, ns);
                    foreach (string name in new[] { "namespace", "pod", "container", "host", "app", "severity" })
                    {
                        Assert.Equal(record.Label(name), labels.GetValueOrDefault(name, ""));
                    }
                }
            }

            offset += lines.Count;
            cursor = page.Cursor;
            if (cursor is null)
            {
                Assert.True(offset == expected.Count, $"{context}: ended after {offset} of {expected.Count} lines");
                return;
            }
        }
    }

    private static (long, long) ToNs(long fromTicks, long toTicks) =>
        ((fromTicks - DateTimeOffset.UnixEpoch.Ticks) * 100, (toTicks - DateTimeOffset.UnixEpoch.Ticks) * 100);
}
