using System.Globalization;
using System.Text;

namespace Chaos;

/// <summary>Everything a chaos run found, and its summary as printed.</summary>
public sealed record ChaosResult(
    ChaosSettings Settings,
    IReadOnlyList<KillDone> Kills,
    IReadOnlyList<long> Written,
    TimeSpan Writing,
    int Rotations,
    TimeSpan Drain,
    int MessagesFiles,
    long MessagesBytes,
    DeliveryReport Delivery,
    SourcesCheck Sources,
    double DuplicatesDroppedMetric,
    double DuplicatesDroppedSeen,
    double GapsMetric,
    string CollectorOutput,
    string ForwarderOutput)
{
    public bool Passed => Delivery.Exact && Sources.Problems.Count == 0 && Sources.Gaps == 0 && GapsMetric == 0;

    public string Summary()
    {
        long total = Written.Sum();
        int collectorKills = Kills.Count(k => k.Target == Target.Collector);
        int forwarderKills = Kills.Count(k => k.Target == Target.Forwarder);
        double medianDown = Median(Kills.Select(k => k.Down.TotalMilliseconds));
        double medianStart = Median(Kills.Select(k => k.Start.TotalSeconds));
        var text = new StringBuilder();

        // In parts, so that a long line can be written as pieces that fit the editor's width.
        void Line(params FormattableString[] parts)
        {
            foreach (var part in parts)
            {
                text.Append(part.ToString(CultureInfo.InvariantCulture));
            }

            text.AppendLine();
        }

        Line($"chaos run, seed {Settings.Seed}: {Settings.Files} container logs, Forwarder → Collector over relp://");
        Line(
            $"  written      {total} lines in {Writing.TotalSeconds:0.0} s = {total / Writing.TotalSeconds:0} lines/s ",
            $"(target {Settings.LinesPerSecond}), {Rotations} rotations at {Settings.RotateBytes / 1024} KiB");
        Line(
            $"  kills        {collectorKills} Collector, {forwarderKills} Forwarder ",
            $"(SIGKILL; down {medianDown:0} ms median, start {medianStart:0.0} s median)");
        Line(
            $"  stored       {Delivery.Lines} lines in {MessagesFiles} messages files ",
            $"({MessagesBytes / (1024.0 * 1024):0.0} MiB), ",
            $"drained {Drain.TotalSeconds:0.0} s after the writing stopped");
        Line($"  lost         {Delivery.Lost}");
        Line($"  stored twice {Delivery.StoredTwice}");
        Line(
            $"  out of order {Delivery.OutOfOrder}   not written {Delivery.Foreign}   ",
            $"without origin {Delivery.WithoutOrigin}   origin breaks {Delivery.OriginBreaks}");
        Line(
            $"  collector    duplicates dropped {DuplicatesDroppedMetric} ",
            $"(kubesyslog_collector_source_duplicates_total at the end; ",
            $"{DuplicatesDroppedSeen} added up over the {collectorKills + 1} Collector processes), ",
            $"gaps {GapsMetric} (…_source_gaps_total)");
        Line(
            $"  sources      {Sources.Listed} listed by /api/v1/sources ({Delivery.Sources.Count} in the files), ",
            $"gaps {Sources.Gaps}, {Sources.Problems.Count} disagreements with the files");
        foreach (string example in Delivery.Examples.Concat(Sources.Problems.Take(10)))
        {
            Line($"    {example}");
        }

        Line($"  RESULT       {(Passed ? "PASS: every line stored exactly once, in order; no gap" : "FAIL")}");
        return text.ToString();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
