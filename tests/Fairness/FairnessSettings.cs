using System.Globalization;

namespace Fairness;

/// <summary>
/// The experiment's command line:
/// <c>--forwarder PATH [--forwarder PATH…] --collector PATH [--runs 3] [--backlog-lines 2000000] [--line-bytes 232]
/// [--protocol relp|tcp] [--interval-ms 100] [--baseline-seconds 10] [-- forwarder args…]</c>. A path ending in
/// <c>.dll</c> runs under <c>dotnet</c>. Several forwarders (e.g. main's build and a branch's) take turns, run by run,
/// so that both see the same machine.
/// </summary>
internal sealed record FairnessSettings(
    IReadOnlyList<string> Forwarders,
    string Collector,
    int Runs,
    int BacklogLines,
    int LineBytes,
    string Protocol,
    int IntervalMs,
    int BaselineSeconds,
    IReadOnlyList<string> ForwarderArgs)
{
    public static FairnessSettings Parse(string[] args)
    {
        var forwarders = new List<string>();
        string? collector = null;
        int runs = 3, backlog = 2_000_000, lineBytes = 232, interval = 100, baseline = 10;
        string protocol = "relp";
        var extra = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--forwarder": forwarders.Add(args[++i]); break;
                case "--collector": collector = args[++i]; break;
                case "--runs": runs = Positive(args[++i], "--runs"); break;
                case "--backlog-lines": backlog = Positive(args[++i], "--backlog-lines"); break;
                case "--line-bytes": lineBytes = Positive(args[++i], "--line-bytes"); break;
                case "--interval-ms": interval = Positive(args[++i], "--interval-ms"); break;
                case "--baseline-seconds": baseline = Positive(args[++i], "--baseline-seconds"); break;
                case "--protocol":
                    protocol = args[++i] is "relp" or "tcp"
                        ? args[i]
                        : throw new ArgumentException($"--protocol must be relp or tcp, was '{args[i]}'");
                    break;
                case "--": extra.AddRange(args[(i + 1)..]); i = args.Length; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (lineBytes < 80)
        {
            throw new ArgumentException($"--line-bytes must be at least 80 (the CRI prefix and the sequence number), was {lineBytes}");
        }

        return new FairnessSettings(
            forwarders.Count > 0 ? forwarders : throw new ArgumentException("--forwarder PATH (a Forwarder binary or Forwarder.dll) is required"),
            collector ?? throw new ArgumentException("--collector PATH (a Collector binary or Collector.dll) is required"),
            runs,
            backlog,
            lineBytes,
            protocol,
            interval,
            baseline,
            extra);
    }

    private static int Positive(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a whole number above 0, was '{text}'");
}
