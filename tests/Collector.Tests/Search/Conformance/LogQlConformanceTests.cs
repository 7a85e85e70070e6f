using Collector.Search;
using Collector.Search.Metrics;
using Xunit.Sdk;

namespace Collector.Tests.Search.Conformance;

/// <summary>
/// Issue 17's conformance check: every query of logql-corpus.txt is parsed by the Collector and by Grafana's
/// @grafana/lezer-logql; both must accept it or both reject it, except the documented
/// <see cref="KnownDisagreements"/>, which must still be exactly the disagreements (a fix and a regression both show).
/// </summary>
public sealed class LogQlConformanceTests
{
    [Fact]
    public void TheCorpusHasMoreThan200DistinctQueriesEachWithItsSource()
    {
        var corpus = LogQlCorpus.Load();
        Assert.True(corpus.Entries.Select(e => e.Query).Distinct().Count() >= 200, $"only {corpus.Entries.Count} queries");
        Assert.All(corpus.Entries, e => Assert.False(string.IsNullOrEmpty(e.Source), $"line {e.Line} has no # source: above it"));
    }

    [Fact]
    public void EveryKnownDisagreementIsACorpusQueryWithAReason()
    {
        var queries = LogQlCorpus.Load().Entries.Select(e => e.Query).ToHashSet();
        Assert.All(KnownDisagreements.All, known =>
        {
            Assert.Contains(known.Query, queries);
            Assert.False(string.IsNullOrWhiteSpace(known.Reason));
        });
    }

    [Fact]
    public void ALineStartingWithWhiteSpaceContinuesTheQueryAbove()
    {
        var corpus = LogQlCorpus.Parse(["# source: a", "{a=\"b\"}", "  | json", "# comment", "", "# source: b", "vector(1)"]);
        Assert.Equal(
            [new LogQlCorpus.Entry("{a=\"b\"}\n  | json", "a", 2), new LogQlCorpus.Entry("vector(1)", "b", 7)],
            corpus.Entries);
    }

    [Fact]
    public void TheCollectorsVerdictIsAParseErrorNotACrash()
    {
        Assert.True(CollectorAccepts("{namespace=\"web\"} | json").Accepted);
        var rejected = CollectorAccepts("{namespace=\"web\"} |= ");
        Assert.False(rejected.Accepted);
        Assert.Contains("quoted string", rejected.Error, StringComparison.Ordinal);
    }

    [LezerFact]
    public async Task TheCollectorAndLezerLogQlAgreeOnEveryCorpusQueryButTheKnownOnes()
    {
        var entries = LogQlCorpus.Load().Entries.DistinctBy(e => e.Query).ToList();
        var lezer = await LezerLogQl.AcceptsAsync(entries.Select(e => e.Query).ToList());

        // The corpus exercises both answers, so that "both reject" is tested too.
        Assert.True(lezer.Count(a => a) >= 150, $"lezer accepts only {lezer.Count(a => a)} queries");
        Assert.True(lezer.Count(a => !a) >= 40, $"lezer rejects only {lezer.Count(a => !a)} queries");

        var known = KnownDisagreements.All.ToDictionary(k => k.Query);
        var unexpected = new List<string>();
        var disagreeing = new HashSet<string>();
        for (int i = 0; i < entries.Count; i++)
        {
            var (accepted, error) = CollectorAccepts(entries[i].Query);
            if (accepted == lezer[i])
            {
                continue;
            }

            disagreeing.Add(entries[i].Query);
            if (!known.TryGetValue(entries[i].Query, out var k) || k.CollectorAccepts != accepted)
            {
                unexpected.Add($"line {entries[i].Line} ({entries[i].Source}): lezer {(lezer[i] ? "accepts" : "rejects")}, " +
                    $"the Collector {(accepted ? "accepts" : $"rejects: {error}")}\n    {entries[i].Query.ReplaceLineEndings("\n    ")}");
            }
        }

        var fixedNow = known.Keys.Where(q => !disagreeing.Contains(q)).ToList();
        if (unexpected.Count > 0 || fixedNow.Count > 0)
        {
            throw new XunitException(
                $"{unexpected.Count} disagreements not in KnownDisagreements:\n{string.Join('\n', unexpected)}\n" +
                $"{fixedNow.Count} known disagreements that now agree (remove them from KnownDisagreements):\n" +
                string.Join('\n', fixedNow));
        }
    }

    /// <summary>What the Loki API does with a query parameter (LokiRequest.Query): a metric or a log query.</summary>
    private static (bool Accepted, string? Error) CollectorAccepts(string query)
    {
        try
        {
            _ = MetricParser.IsMetric(query) ? MetricParser.Parse(query) : (object)QueryParser.Parse(query);
            return (true, null);
        }
        catch (QueryParseException ex)
        {
            return (false, ex.Message);
        }
    }
}
