using System.Globalization;
using System.Text;
using Collector.Search;
using Shared.Syslog;

namespace Collector.Api;

/// <summary>
/// Reads query-string parameters; a bad one throws a 400 <see cref="ProblemException"/> naming it and its value.
/// </summary>
public sealed class ApiParameters(HttpContext context, TimeProvider time)
{
    public const int MaxLimit = 5000;

    private readonly IQueryCollection _query = context.Request.Query;

    public long NowNs { get; } = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100;

    public string? Text(string name) => _query.TryGetValue(name, out var v) ? v.ToString() : null;

    public LogQuery Query(bool gravity = false)
    {
        string? text = Text("query");
        try
        {
            return QueryParser.Parse(text, gravity);
        }
        catch (QueryParseException ex)
        {
            throw ProblemException.BadRequest($"query: {ex.Reason} at position {ex.Position}", ex.Position);
        }
    }

    public int Limit(string name, int fallback, int min = 1)
    {
        string? text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > MaxLimit)
        {
            throw ProblemException.BadRequest($"{name} must be a whole number from {min} to {MaxLimit}, was '{text}'");
        }

        return value;
    }

    public bool Backward()
    {
        return Text("direction")?.ToLowerInvariant() switch
        {
            null or "backward" => true,
            "forward" => false,
            var other => throw ProblemException.BadRequest($"direction must be backward or forward, was '{other}'"),
        };
    }

    public bool Flag(string name, bool fallback) => Text(name)?.ToLowerInvariant() switch
    {
        null => fallback,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        var other => throw ProblemException.BadRequest($"{name} must be true or false, was '{other}'"),
    };

    /// <summary>
    /// Loki's time: Unix seconds (up to ten digits, or with a fraction: <c>1700000000.5</c>), Unix nanoseconds
    /// or RFC 3339.
    /// </summary>
    public long? Time(string name)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long whole))
        {
            // Loki's rule: ten digits or fewer are Unix seconds (1795341600), more are nanoseconds.
            return text.Length <= 10 ? whole * 1_000_000_000 : whole;
        }

        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds) && seconds < 9_000_000_000m)
        {
            return (long)(seconds * 1_000_000_000m);
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        if (Rfc3339.TryParse(utf8, out var timestamp, out int consumed) == SyslogParseErrorCode.None && consumed == utf8.Length)
        {
            // Nanoseconds in a long end in 2262 (and begin in 1677): a time beyond is as far as the range can go.
            return (long)Int128.Clamp((Int128)(timestamp.Value.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) * 100, long.MinValue, long.MaxValue);
        }

        throw ProblemException.BadRequest($"{name} must be RFC 3339 (2026-11-22T10:00:00Z), Unix seconds or Unix nanoseconds, was '{text}'");
    }

    /// <summary>A duration (<c>since=1h</c>) or a count of seconds (<c>sinceSeconds=30</c>).</summary>
    public TimeSpan? Duration(string name, bool seconds = false)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }

        if (seconds)
        {
            return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long s) && s > 0 && s < 100L * 365 * 86400
                ? TimeSpan.FromSeconds(s)
                : throw ProblemException.BadRequest($"{name} must be a positive whole number of seconds, was '{text}'");
        }

        return QueryDuration.TryParse(text, out var d) && d > TimeSpan.Zero && d < TimeSpan.FromDays(36500)
            ? d
            : throw ProblemException.BadRequest($"{name} must be a duration such as 30s, 10m, 1h or 7d, was '{text}'");
    }

    /// <summary>
    /// start and end of a range query: Loki's defaults (end now, start an hour before, or end minus since).
    /// </summary>
    public (long Start, long End) Range(TimeSpan defaultSpan)
    {
        long end = Time("end") ?? NowNs + 1;
        long start = Time("start") ?? end - (long)((Duration("since") ?? defaultSpan).Ticks * 100);
        if (start >= end)
        {
            string shownStart = Text("start") ?? ApiJson.Nanoseconds(start);
            string shownEnd = Text("end") ?? ApiJson.Nanoseconds(end);
            throw ProblemException.BadRequest($"start must be before end, was start={shownStart} end={shownEnd}");
        }

        return (start, end);
    }
}
