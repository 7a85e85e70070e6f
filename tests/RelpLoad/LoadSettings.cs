using System.Globalization;

namespace RelpLoad;

/// <summary>
/// The load generator's command line: <c>--collector PATH [--receiver collector|rsyslog] [--sessions 1000] [--rate 100]
/// [--seconds 60] [--size 200] [--window 128] [--ack-after write|fsync] [--senders 2] [-- collector args…]</c>.
/// <c>--receiver rsyslog</c> runs the same load against rsyslog's <c>imrelp</c> (the peer) instead of the Collector.
/// </summary>
internal sealed record LoadSettings(
    string? Collector,
    int Sessions,
    int Rate,
    int Seconds,
    int Size,
    int Window,
    string AckAfter,
    IReadOnlyList<string> CollectorArgs,
    int Senders = 2,
    string Receiver = "collector")
{
    public const string Usage =
        "usage: RelpLoad --collector PATH [--receiver collector|rsyslog] [--sessions 1000] [--rate 100] [--seconds 60] " +
        "[--size 200] [--window 128] [--ack-after write|fsync] [--senders 2] [-- collector args]";

    /// <summary>rsyslog's imrelp, not the Collector, answers (no <c>--collector</c> needed then).</summary>
    public bool AgainstRsyslog => Receiver == "rsyslog";

    /// <summary>Messages each session sends: rate × seconds.</summary>
    public int MessagesPerSession => Rate * Seconds;

    public static LoadSettings Parse(string[] args)
    {
        string? collector = null;
        int sessions = 1000, rate = 100, seconds = 60, size = 200, window = 128, senders = 2;
        string ackAfter = "write", receiver = "collector";
        var extra = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--collector": collector = args[++i]; break;
                case "--sessions": sessions = Positive(args, ++i); break;
                case "--rate": rate = Positive(args, ++i); break;
                case "--seconds": seconds = Positive(args, ++i); break;
                case "--size": size = Positive(args, ++i); break;
                case "--window": window = Positive(args, ++i); break;
                case "--senders": senders = Positive(args, ++i); break;
                case "--ack-after":
                    ackAfter = args[++i] is "write" or "fsync"
                        ? args[i]
                        : throw new ArgumentException($"--ack-after must be write or fsync, was '{args[i]}'");
                    break;
                case "--receiver":
                    receiver = args[++i] is "collector" or "rsyslog"
                        ? args[i]
                        : throw new ArgumentException($"--receiver must be collector or rsyslog, was '{args[i]}'");
                    break;
                case "--": extra.AddRange(args[(i + 1)..]); i = args.Length; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (receiver == "rsyslog" && (ackAfter != "write" || extra.Count > 0))
        {
            throw new ArgumentException("--ack-after fsync and Collector arguments apply to the Collector, not to rsyslog");
        }

        return new LoadSettings(
            collector ?? (receiver == "rsyslog"
                ? null
                : throw new ArgumentException("--collector PATH (the published Collector, or Collector.dll) is required")),
            sessions,
            rate,
            seconds,
            size,
            window,
            ackAfter,
            extra,
            senders,
            receiver);
    }

    private static int Positive(string[] args, int i)
    {
        int value = int.Parse(args[i], NumberStyles.None, CultureInfo.InvariantCulture);
        return value > 0 ? value : throw new ArgumentException($"{args[i - 1]} must be at least 1, was {value}");
    }
}
