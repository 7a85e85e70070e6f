using System.Globalization;
using Collector.Search;
using Collector.Search.Metrics;

namespace Collector.Api.Loki;

/// <summary>
/// A Loki API request's parameters, from the query string or (POST) a form body, as Loki reads them: the times and
/// durations of <see cref="ApiParameters"/>, LogQL in <c>query</c>, and <c>step</c>. Bad values throw a 400
/// <see cref="ProblemException"/>, written as plain text under <c>/loki</c>.
/// </summary>
public sealed class LokiRequest
{
    private LokiRequest(HttpContext context, TimeProvider time)
    {
        Parameters = new ApiParameters(context, time);
    }

    public ApiParameters Parameters { get; }

    /// <summary>Reads a POST form into the query string first (Loki accepts both for its query routes).</summary>
    public static async Task<LokiRequest> ReadAsync(HttpContext context, TimeProvider time)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var merged = request.Query.ToDictionary(p => p.Key, p => p.Value);
            foreach (var (key, value) in form)
            {
                merged[key] = merged.TryGetValue(key, out var existing) ? Microsoft.Extensions.Primitives.StringValues.Concat(existing,
                    value) : value;
            }

            request.Query = new QueryCollection(merged);
        }

        return new LokiRequest(context, time);
    }

    /// <summary>The <c>query</c> parameter: a metric expression, or a log query (then the metric is null).</summary>
    public (MetricNode? Metric, LogQuery? Log) Query(string name = "query")
    {
        string? text = Parameters.Text(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ProblemException.BadRequest($"parse error : syntax error: unexpected $end: the '{name}' parameter is empty or missing");
        }

        try
        {
            return MetricParser.IsMetric(text) ? (MetricParser.Parse(text), null) : (null, QueryParser.Parse(text));
        }
        catch (QueryParseException ex)
        {
            throw ParseError(text, ex);
        }
    }

    /// <summary>
    /// backward (the default, also when empty: Grafana's health check sends <c>direction=</c>) or forward, in any case
    /// (logcli sends BACKWARD).
    /// </summary>
    public bool Backward() => string.IsNullOrEmpty(Parameters.Text("direction")) || Parameters.Backward();

    /// <summary>A log selector (for <c>match[]</c>, <c>query</c> on label routes), or null when absent.</summary>
    public static LogQuery Selector(string text)
    {
        try
        {
            return QueryParser.Parse(text);
        }
        catch (QueryParseException ex)
        {
            throw ParseError(text, ex);
        }
    }

    /// <summary>Loki's resolution: a duration or float seconds; by default about 250 points, at least 1 s.</summary>
    public long Step(long startNs, long endNs)
    {
        string? text = Parameters.Text("step");
        if (text is null)
        {
            return Math.Max(1, (endNs - startNs) / 250 / 1_000_000_000) * 1_000_000_000;
        }

        long step;
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal seconds)
            && seconds < 9_000_000_000m)
        {
            step = (long)(seconds * 1_000_000_000m);
        }
        else if (!PromDuration.TryParse(text, out step))
        {
            throw ProblemException.BadRequest($"invalid parameter \"step\": cannot parse \"{text}\" to a valid duration");
        }

        return step > 0
            ? step
            : throw ProblemException.BadRequest("zero or negative query resolution step widths are not accepted. Try a positive integer");
    }

    /// <summary>Loki's wording: <c>parse error at line 1, col 12: …</c>.</summary>
    private static ProblemException ParseError(string text, QueryParseException ex)
    {
        int at = Math.Clamp(ex.Position, 0, text.Length);
        int line = 1 + text.AsSpan(0, at).Count('\n');
        int col = at - (text.LastIndexOf('\n', Math.Max(0, at - 1)) + 1) + 1;
        return ProblemException.BadRequest($"parse error at line {line}, col {col}: {ex.Reason}", ex.Position);
    }
}
