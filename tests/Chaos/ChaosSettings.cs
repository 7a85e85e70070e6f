using System.Globalization;
using TestSupport;

namespace Chaos;

/// <summary>
/// One chaos run: <c>--forwarder DLL --collector DLL [--files 8] [--rate 20000] [--collector-kills 20]
/// [--forwarder-kills 20] [--duration 120s] [--seed N] [--rotate-size 4MiB] [--quiet 5s] [--restart-delay 1000ms]
/// [--log-level Warning] [--formats both|cri|docker] [--keep]</c>.
/// </summary>
public sealed record ChaosSettings(
    string ForwarderDll,
    string CollectorDll,
    int Files,
    int LinesPerSecond,
    int CollectorKills,
    int ForwarderKills,
    TimeSpan Duration,
    int Seed,
    long RotateBytes,
    TimeSpan Quiet,
    TimeSpan MaxRestartDelay,
    string LogLevel,
    bool Keep,
    ChaosFormats Formats = ChaosFormats.Both)
{
    public const string Usage =
        "usage: Chaos --forwarder Forwarder.dll --collector Collector.dll [--files 8] [--rate 20000] [--collector-kills 20] " +
        "[--forwarder-kills 20] [--duration 120s] [--seed N] [--rotate-size 4MiB] [--quiet 5s] " +
        "[--restart-delay 1000ms] [--log-level Warning] [--formats both|cri|docker] [--keep]";

    public static ChaosSettings Parse(string[] args)
    {
        string? forwarder = null, collector = null;
        int files = 8, rate = 20_000, collectorKills = 20, forwarderKills = 20, seed = Environment.TickCount;
        var duration = TimeSpan.FromSeconds(120);
        var quiet = TimeSpan.FromSeconds(5);
        var restartDelay = TimeSpan.FromMilliseconds(1000);
        long rotate = 4L << 20;
        bool keep = false;
        var formats = ChaosFormats.Both;
        string logLevel = "Warning";
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--forwarder": forwarder = Next(); break;
                case "--collector": collector = Next(); break;
                case "--files": files = Positive(args[i], Next()); break;
                case "--rate": rate = Positive(args[i], Next()); break;
                case "--collector-kills": collectorKills = NotNegative(args[i], Next()); break;
                case "--forwarder-kills": forwarderKills = NotNegative(args[i], Next()); break;
                case "--duration": duration = ParseDuration(args[i], Next()); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rotate-size": rotate = ParseSize(args[i], Next()); break;
                case "--quiet": quiet = ParseDuration(args[i], Next()); break;
                case "--restart-delay": restartDelay = ParseDuration(args[i], Next()); break;
                case "--log-level": logLevel = Next(); break;
                case "--keep": keep = true; break;
                case "--formats": formats = ParseFormats(args[i], Next()); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (files > 99)
        {
            throw new ArgumentException($"--files must be 1-99, was {files}");
        }

        return new ChaosSettings(
            forwarder ?? throw new ArgumentException("--forwarder PATH (Forwarder.dll of a Release build) is required"),
            collector ?? throw new ArgumentException("--collector PATH (Collector.dll of a Release build) is required"),
            files,
            rate,
            collectorKills,
            forwarderKills,
            duration,
            seed,
            rotate,
            quiet,
            restartDelay,
            logLevel,
            keep,
            formats);
    }

    /// <summary>The container runtime format of log <paramref name="index"/>: alternating for both.</summary>
    public RuntimeFormat FormatOf(int index) => Formats switch
    {
        ChaosFormats.Cri => RuntimeFormat.Cri,
        ChaosFormats.Docker => RuntimeFormat.Docker,
        _ => index % 2 == 0 ? RuntimeFormat.Docker : RuntimeFormat.Cri,
    };

    private static ChaosFormats ParseFormats(string name, string text) => text switch
    {
        "both" => ChaosFormats.Both,
        "cri" => ChaosFormats.Cri,
        "docker" => ChaosFormats.Docker,
        _ => throw new ArgumentException($"{name} must be both, cri or docker, was '{text}'"),
    };

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, was '{text}'");

    private static int NotNegative(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new ArgumentException($"{name} must be 0 or more, was '{text}'");

    /// <summary>500ms, 30s, 2m.</summary>
    private static TimeSpan ParseDuration(string name, string text)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ => (text, 1000.0),
        };
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && value > 0
            ? TimeSpan.FromMilliseconds(value * scale)
            : throw new ArgumentException($"{name} must be a duration such as 500ms, 30s or 2m, was '{text}'");
    }

    /// <summary>Bytes, or with KiB/MiB.</summary>
    private static long ParseSize(string name, string text)
    {
        (string number, long scale) = text switch
        {
            _ when text.EndsWith("KiB", StringComparison.Ordinal) => (text[..^3], 1L << 10),
            _ when text.EndsWith("MiB", StringComparison.Ordinal) => (text[..^3], 1L << 20),
            _ => (text, 1L),
        };
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value * scale >= 4096
            ? value * scale
            : throw new ArgumentException($"{name} must be at least 4096 bytes (or 4KiB, 1MiB), was '{text}'");
    }
}
