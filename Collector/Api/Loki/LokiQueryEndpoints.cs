using Collector.Search.Metrics;

namespace Collector.Api.Loki;

/// <summary>
/// <c>/loki/api/v1/query_range</c> and <c>/loki/api/v1/query</c>: log queries answer <c>streams</c> (the
/// <c>limit</c> lines nearest the range's end, or start with <c>direction=forward</c>, sorted by time), metric queries
/// <c>matrix</c> (range) or <c>vector</c>/<c>scalar</c> (instant).
/// </summary>
public sealed class LokiQueryEndpoints(TimeOrderedSearch search, MetricEvaluator metrics, TimeProvider time)
{
    public async Task QueryRangeAsync(HttpContext context)
    {
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var p = request.Parameters;
        var (metric, log) = request.Query();
        var (start, end) = p.Range(TimeSpan.FromHours(1));
        if (metric is not null)
        {
            // Loki evaluates at start, start + step, … up to end inclusive.
            long step = request.Step(start, end);
            var result = await EvaluateAsync(metric, start, end, step, context).ConfigureAwait(false);
            await LokiJson.WriteAsync(context, json => LokiJson.WriteMatrix(json, result)).ConfigureAwait(false);
            return;
        }

        int limit = p.Limit("limit", 100);
        var entries = await search.SearchAsync(log!, start, end, limit, request.Backward(), context.RequestAborted).ConfigureAwait(false);
        await LokiJson.WriteAsync(context, json => LokiJson.WriteStreams(json, entries)).ConfigureAwait(false);
    }

    public async Task QueryAsync(HttpContext context)
    {
        var request = await LokiRequest.ReadAsync(context, time).ConfigureAwait(false);
        var p = request.Parameters;
        var (metric, log) = request.Query();
        long at = p.Time("time") ?? p.NowNs;
        if (metric is not null)
        {
            var result = await EvaluateAsync(metric, at, at, 1, context).ConfigureAwait(false);

            // sort() and sort_desc() are the order of the answer (as in Prometheus, for instant queries only).
            bool sorted = metric is AggregateNode { Op: AggregateOp.Sort or AggregateOp.SortDesc };
            await LokiJson.WriteAsync(context, json => LokiJson.WriteInstant(json, result, keepOrder: sorted)).ConfigureAwait(false);
            return;
        }

        // A log query at one instant: the lines of the hour before it (Loki 2's instant log query looked back by its
        // query lookback), at most limit, in the requested direction.
        int limit = p.Limit("limit", 100);
        long span = (p.Duration("since") ?? TimeSpan.FromHours(1)).Ticks * 100;
        var entries = await search.SearchAsync(log!, at - span, at + 1, limit, request.Backward(), context.RequestAborted).ConfigureAwait(false);
        await LokiJson.WriteAsync(context, json => LokiJson.WriteStreams(json, entries)).ConfigureAwait(false);
    }

    private async Task<MetricResult> EvaluateAsync(MetricNode metric, long start, long end, long step, HttpContext context)
    {
        try
        {
            return await metrics.EvaluateAsync(metric, start, end, step, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MetricLimitException ex)
        {
            throw ProblemException.BadRequest(ex.Message);
        }
        catch (Search.QueryParseException ex)
        {
            throw ProblemException.BadRequest($"parse error : {ex.Reason}");
        }
    }
}
