using System.Globalization;

namespace Soak;

/// <summary>
/// The soak's command line:
/// <c>--forwarder PATH [--pods N] [--rounds N] [--lines N] [--include containers|pods] [--mode replace|restart]
/// [--tolerance 0.10] [--idle SECONDS] [--quiet SECONDS] [--linger SECONDS] [--baseline-with-pods]
/// [-- forwarder args…]</c>.
/// </summary>
internal sealed record ChurnSettings(
    string Forwarder,
    int Pods,
    int Rounds,
    int Lines,
    bool RecursiveInclude,
    bool Restarts,
    double Tolerance,
    int IdleSeconds,
    int QuietSeconds,
    int LingerSeconds,
    bool BaselineWithPods,
    IReadOnlyList<string> ForwarderArgs)
{
    public static ChurnSettings Parse(string[] args)
    {
        string? forwarder = null;
        int pods = 300, rounds = 10, lines = 10;
        bool recursive = false, restarts = false, warm = false;
        double tolerance = 0.10;
        int linger = 0;

        // The Forwarder trims at its first idle check after a burst (every 5 s), at most once in 30 s.
        int idle = 45;

        // How long the idle Forwarder's allocation and CPU rates are measured after each round (0: not measured).
        int quiet = 10;
        var extra = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--forwarder": forwarder = args[++i]; break;
                case "--pods": pods = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--lines": lines = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--idle": idle = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--quiet": quiet = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--linger": linger = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--tolerance": tolerance = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--mode":
                    restarts = args[++i] switch
                    {
                        "restart" => true,
                        "replace" => false,
                        var other => throw new ArgumentException($"--mode must be replace or restart, was '{other}'"),
                    };
                    break;
                case "--include":
                    recursive = args[++i] switch
                    {
                        "pods" => true,
                        "containers" => false,
                        var other => throw new ArgumentException($"--include must be containers or pods, was '{other}'"),
                    };
                    break;
                case "--baseline-with-pods": warm = true; break;
                case "--": extra.AddRange(args[(i + 1)..]); i = args.Length; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (warm && !restarts)
        {
            throw new ArgumentException("--baseline-with-pods needs --mode restart (with replace, no pod outlives its round)");
        }

        return new ChurnSettings(
            forwarder ?? throw new ArgumentException("--forwarder PATH (the published Forwarder, or Forwarder.dll) is required"),
            pods,
            rounds,
            lines,
            recursive,
            restarts,
            tolerance,
            idle,
            quiet,
            linger,
            warm,
            extra);
    }
}
