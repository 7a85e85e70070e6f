using System.Globalization;

namespace Forwarder.RateLimiting;

/// <summary>
/// A limit on a pod's or a namespace's lines: <c>500/s</c>, <c>30000/m</c>, optionally with a burst
/// (<c>500/s,burst=2000</c>; default: one period's worth), or <c>off</c> (no limit: a pod annotation that exempts the
/// pod from <c>--rate-limit-pod</c>). The same text in a switch and in the <c>kube-syslog.io/rate-limit</c> annotation.
/// </summary>
public sealed record RateLimit(long Count, TimeSpan Period, long Burst)
{
    public const string Rule = "N/s or N/m (N from 1 to 1000000000), optionally ',burst=B', or off";

    private const long MaxCount = 1_000_000_000;

    public static RateLimit Off { get; } = new(0, TimeSpan.Zero, 0);

    public bool IsOff => Count == 0;

    public static bool TryParse(string? text, out RateLimit limit, out string? why)
    {
        limit = Off;
        why = null;
        string value = (text ?? string.Empty).Trim().ToLowerInvariant();
        if (value is "off" or "none")
        {
            return true;
        }

        string rate = value;
        long? burst = null;
        int comma = value.IndexOf(',', StringComparison.Ordinal);
        if (comma >= 0)
        {
            rate = value[..comma].Trim();
            string extra = value[(comma + 1)..].Trim();
            if (!extra.StartsWith("burst=", StringComparison.Ordinal) || !TryCount(extra["burst=".Length..], out long b))
            {
                why = $"must be {Rule}; '{extra}' is not burst=B";
                return false;
            }

            burst = b;
        }

        int slash = rate.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !TryCount(rate[..slash], out long count))
        {
            why = $"must be {Rule}";
            return false;
        }

        TimeSpan? period = rate[(slash + 1)..].Trim() switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            _ => null,
        };
        if (period is null)
        {
            why = $"must be {Rule}; the period is s or m";
            return false;
        }

        limit = new RateLimit(count, period.Value, burst ?? count);
        return true;
    }

    public override string ToString()
    {
        if (IsOff)
        {
            return "off";
        }

        string text = Count.ToString(CultureInfo.InvariantCulture) + (Period == TimeSpan.FromSeconds(1) ? "/s" : "/m");
        return Burst == Count ? text : text + ",burst=" + Burst.ToString(CultureInfo.InvariantCulture);
    }

    private static bool TryCount(string text, out long count) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= MaxCount;
}
