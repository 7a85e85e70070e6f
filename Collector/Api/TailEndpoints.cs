using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Collector.Configuration;
using Collector.Search;
using Collector.Search.Metrics;
using Collector.Storage;

namespace Collector.Api;

/// <summary>
/// <c>GET /api/v1/tail</c>: recent history (the last <c>limit</c>/<c>tailLines</c> matching lines since
/// <c>start</c>/<c>sinceSeconds</c>), then, with <c>follow=true</c> or over a WebSocket, every matching line as it is
/// written. Over HTTP it is NDJSON for <c>curl -N</c>; over a WebSocket, Loki's tail frames. Each client has its own
/// bounded queue (<see cref="TailSubscription"/>) and is told what it missed.
/// </summary>
public sealed class TailEndpoints(
    SearchEngine engine,
    TailHub hub,
    WrittenLines written,
    CollectorOptions options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<TailEndpoints> logger)
{
    private const int MaxBatch = 500;
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public async Task TailAsync(HttpContext context)
    {
        var p = new ApiParameters(context, time);
        bool webSocket = context.WebSockets.IsWebSocketRequest;

        // Loki's route: Loki's errors, frames with Loki's label sets, and a follow's end drops the connection (see
        // WebSocketAsync).
        bool loki = context.Request.Path.StartsWithSegments(Loki.LokiRoutes.Prefix, StringComparison.Ordinal);
        var query = loki ? Loki.LokiRequest.Selector(p.Text("query") ?? string.Empty) : p.Query();
        if (loki)
        {
            CheckDelayFor(p.Text("delay_for"));
        }

        bool follow = webSocket || p.Flag("follow", false);
        // kubectl's --tail=0 sends tailLines=0: no history, only what is written from now on.
        int? tailLines = p.Text("tailLines") is null ? null : p.Limit("tailLines", 100, min: 0);
        int limit = tailLines ?? p.Limit("limit", 100);
        long? since = p.Duration("sinceSeconds", seconds: true) is { } s ? p.NowNs - (s.Ticks * 100) : null;
        long start = p.Time("start") ?? since ?? (tailLines is not null ? long.MinValue : p.NowNs - (TimeSpan.FromHours(1).Ticks * 100));

        if (follow && Interlocked.Increment(ref _open) > options.MaxTails)
        {
            Interlocked.Decrement(ref _open);
            ApiLog.TooManyTails(logger, options.MaxTails);
            throw new ProblemException(
                StatusCodes.Status429TooManyRequests,
                "Too many tails",
                $"{options.MaxTails} tails are open already (Collector:MaxTails); try again later");
        }

        string id = context.TraceIdentifier;
        TailSubscription? subscription = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            SearchPosition? seam = null;
            bool skipHistory = false;
            if (follow)
            {
                (subscription, int generation, long end) = hub.Subscribe(query);
                (seam, skipHistory) = engine.TailSeam(end, rotated: () => written.Position.Generation != generation);
            }

            var history = skipHistory || limit == 0 ? [] : (await engine.SearchAsync(
                new SearchRequest(query, start, long.MaxValue, limit, Backward: true) { Until = seam, Budget = options.QueryTimeout },
                stop.Token).ConfigureAwait(false)).Entries;
            history.Reverse();

            if (webSocket)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
                await WebSocketAsync(context, socket, history, subscription!, loki, stop).ConfigureAwait(false);
            }
            else
            {
                await NdjsonAsync(context, history, subscription, stop.Token).ConfigureAwait(false);
            }

            ApiLog.TailEnded(logger, id, "done");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            ApiLog.TailEnded(logger, id, context.RequestAborted.IsCancellationRequested ? "client left" : "shutdown");
        }
        catch (Exception ex) when (ex is IOException or WebSocketException)
        {
            ApiLog.TailEnded(logger, id, ex.Message);
        }
        finally
        {
            if (subscription is not null)
            {
                hub.Unsubscribe(subscription);
            }

            if (follow)
            {
                Interlocked.Decrement(ref _open);
            }
        }
    }

    private async Task NdjsonAsync(HttpContext context, List<LogEntry> history, TailSubscription? subscription, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "application/x-ndjson";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(cancellationToken).ConfigureAwait(false);
        await WriteNdjsonAsync(response, history, 0, cancellationToken).ConfigureAwait(false);
        if (subscription is null)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(options.MaxFollow, time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var batch = new List<LogEntry>(MaxBatch);
        try
        {
            while (await subscription.Queue.Reader.WaitToReadAsync(both.Token).ConfigureAwait(false))
            {
                Drain(subscription.Queue.Reader, batch);
                var (dropped, _) = subscription.TakeDropped();
                await WriteNdjsonAsync(response, batch, dropped, both.Token).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The follow reached Collector:MaxFollow: end the response normally.
        }
    }

    private static async Task WriteNdjsonAsync(HttpResponse response, List<LogEntry> entries, long dropped, CancellationToken cancellationToken)
    {
        using (var json = new Utf8JsonWriter(response.BodyWriter, ApiJson.WriterOptions))
        {
            if (dropped > 0)
            {
                json.WriteStartObject();
                json.WriteNumber("dropped_entries", dropped);
                json.WriteEndObject();
                json.Flush();
                response.BodyWriter.Write("\n"u8);
                json.Reset();
            }

            foreach (var entry in entries)
            {
                json.WriteStartObject();
                json.WriteString("timestamp", ApiJson.Rfc3339(entry.TimeNs));
                ApiJson.WriteLabels(json, "labels", entry.Labels);
                json.WriteString("line", entry.Line);
                json.WriteString("message", entry.Message);
                json.WriteEndObject();
                json.Flush();
                response.BodyWriter.Write("\n"u8);
                json.Reset();
            }
        }

        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WebSocketAsync(
        HttpContext context, WebSocket socket, List<LogEntry> history, TailSubscription subscription, bool loki, CancellationTokenSource stop)
    {
        // The client sends nothing but a close; reading notices it (and a vanished client) and ends the tail.
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var received = await socket.ReceiveAsync(buffer, stop.Token).ConfigureAwait(false);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }

            await stop.CancelAsync().ConfigureAwait(false);
        });

        using var deadline = new CancellationTokenSource(options.MaxFollow, time);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, deadline.Token);
        var output = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            if (history.Count > 0)
            {
                await SendFrameAsync(socket, output, history, (0, []), loki, both.Token).ConfigureAwait(false);
            }

            var batch = new List<LogEntry>(MaxBatch);
            while (await subscription.Queue.Reader.WaitToReadAsync(both.Token).ConfigureAwait(false))
            {
                Drain(subscription.Queue.Reader, batch);
                await SendFrameAsync(socket, output, batch, subscription.TakeDropped(), loki, both.Token).ConfigureAwait(false);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (both.IsCancellationRequested)
        {
        }

        if (loki && deadline.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            // logcli --tail and Grafana's live view reconnect after an abnormal closure (1006: the connection dropped,
            // as when a Loki querier goes away), from the last timestamp they got; after a close frame they stop.
            context.Abort();
        }

        // Open: we end it (time limit, shutdown); CloseReceived: the client ended it and waits for our half of
        // the handshake.
        else if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            string reason = socket.State == WebSocketState.CloseReceived ? "bye"
                : deadline.IsCancellationRequested ? "maximum follow time reached"
                : "server stopping";
            bool weBegan = socket.State == WebSocketState.Open;
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, closing.Token).ConfigureAwait(false);

                // Cancelling the read below aborts the socket, which may cut the close frame off on its way: wait (a
                // moment at most) for the client's answer first.
                if (weBegan)
                {
                    await reading.WaitAsync(closing.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await reading.ConfigureAwait(false);
    }

    /// <summary>
    /// Loki's tail frame: <c>{"streams":[{"stream":{…},"values":[["ns","line"]]}],"dropped_entries":[…]}</c>, plus our
    /// exact count. Under <c>/loki</c> a stream is the line's full label set as a Loki query answers it (level,
    /// detected_level and, after a pipeline, the extracted labels: Loki's tailer groups by the labels after the
    /// pipeline); under <c>/api/v1</c> the stored labels, the extracted ones being in the entry's <c>parsed</c>.
    /// </summary>
    private static async Task SendFrameAsync(
        WebSocket socket,
        System.Buffers.ArrayBufferWriter<byte> output,
        List<LogEntry> entries,
        (long Count, List<LogEntry> Entries) dropped,
        bool loki,
        CancellationToken cancellationToken)
    {
        output.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(output, ApiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("streams");
            foreach (var stream in entries.Select(e => (Entry: e, Labels: LabelsOf(e, loki))).GroupBy(e => LokiLabels.Key(e.Labels)))
            {
                json.WriteStartObject();
                Loki.LokiJson.WriteLabels(json, "stream", stream.First().Labels);
                json.WriteStartArray("values");
                foreach (var (entry, _) in stream)
                {
                    ApiJson.WriteValue(json, entry);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (dropped.Count > 0)
            {
                json.WriteStartArray("dropped_entries");
                foreach (var entry in dropped.Entries)
                {
                    json.WriteStartObject();
                    Loki.LokiJson.WriteLabels(json, "labels", LabelsOf(entry, loki));
                    json.WriteString("timestamp", ApiJson.Nanoseconds(entry.TimeNs));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteNumber("dropped_count", dropped.Count);
            }

            json.WriteEndObject();
        }

        await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loki's checks of <c>delay_for</c> (pkg/loghttp/tail.go), with its messages. The delay itself is not needed
    /// here: lines reach the tail in the order they are written.
    /// </summary>
    private static void CheckDelayFor(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seconds))
        {
            throw ProblemException.BadRequest($"strconv.Atoi: parsing \"{text}\": invalid syntax");
        }

        if (seconds < 0)
        {
            throw ProblemException.BadRequest($"delay_for value {seconds} is out of range [0, 4294967295]");
        }

        if (seconds > 5)
        {
            throw ProblemException.BadRequest("delay_for can't be greater than 5");
        }
    }

    private static KeyValuePair<string, string>[] LabelsOf(LogEntry entry, bool loki) =>
        loki ? entry.PipelineLabels ?? LokiLabels.Of(entry.Labels) : [.. LogLabels.Pairs(entry.Labels)];

    private static void Drain(ChannelReader<LogEntry> reader, List<LogEntry> batch)
    {
        while (batch.Count < MaxBatch && reader.TryRead(out var entry))
        {
            batch.Add(entry);
        }
    }
}
