using System.Text;
using Collector.Sources;
using Collector.Storage;

namespace Collector.Tests.Sources;

/// <summary>The ledger counts from stored lines: a loss the Forwarder reports is a gap with no known end.</summary>
public sealed class SourceLedgerTests
{
    private const string A = "00000000000000aa";
    private const string B = "00000000000000bb";

    [Fact]
    public void AReportedLossIsAnOpenEndedGapFromTheCheckpointCountedOnce()
    {
        var ledger = new SourceLedger(LineFormat.Rfc5424);
        Apply(ledger, Line(A, 0, 10), Line(A, 10, 20), Line(B, 0, 5, $" lost=\"{A}@20\""), Line(B, 5, 9, $" lost=\"{A}@20\""));

        var a = ledger.Snapshot().Single(r => r.Id == 0xaa);
        Assert.Equal([new GapRange(20, -1, 1000)], a.GapRanges);
        Assert.Equal((1, 0, 20, 2), (a.Gaps, a.GapBytes, a.State.Mark, a.Lines));
        Assert.Equal((1, 0), (ledger.Gaps, ledger.GapBytes));
        Assert.Equal(0, ledger.Snapshot().Single(r => r.Id == 0xbb).Gaps);
    }

    [Fact]
    public void ALossBeforeWhatWasStoredStartsWhereTheStoredLinesEnd()
    {
        // The Collector had stored (and answered) more than the Forwarder had checkpointed when it stopped.
        var ledger = new SourceLedger(LineFormat.Rfc5424);
        Apply(ledger, Line(A, 0, 10), Line(A, 10, 20), Line(B, 0, 5, $" lost=\"{A}@10\""));

        Assert.Equal([new GapRange(20, -1, 1000)], ledger.Snapshot().Single(r => r.Id == 0xaa).GapRanges);
    }

    [Fact]
    public void ALossOfASourceNeverStoredIsNotCounted()
    {
        var ledger = new SourceLedger(LineFormat.Rfc5424);
        Apply(ledger, Line(B, 0, 5, $" lost=\"{A}@20\""));

        Assert.Equal(0, ledger.Gaps);
        Assert.Equal([0xbbUL], ledger.Snapshot().Select(r => r.Id));
    }

    private static string Line(string source, long from, long to, string extra = "") =>
        $"<14>1 2026-12-06T06:00:00.000000Z node-1 app - - [o@32473 s=\"{source}\" p=\"{from}-{to}\"{extra}] line {from}\n";

    private static void Apply(SourceLedger ledger, params string[] lines) =>
        ledger.ApplyLines(Encoding.UTF8.GetBytes(string.Concat(lines)), 1000);
}
