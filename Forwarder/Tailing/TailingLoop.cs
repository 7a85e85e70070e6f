using Forwarder.Configuration;
using Forwarder.Discovery;
using Forwarder.Enrichment;
using Forwarder.Metadata;
using Forwarder.Multiline;
using Forwarder.RateLimiting;
using Forwarder.Shipping;

namespace Forwarder.Tailing;

/// <summary>
/// The read side: one loop that applies discovery (new files, rotations, deletions), reads every file that has new
/// lines into batches, hands them to the shipping queue (waiting for a free batch is where reading pauses while the
/// network is behind) and saves checkpoints of what the shipper confirmed. One loop means no locks on the hot path;
/// encoding happens here while the shipper thread writes to the network.
/// </summary>
internal sealed partial class TailingLoop
{
    // Chunks one file may read in one turn before the next file gets its turn (fairness among busy files); its share of
    // the queue (ShippingQueue.FileShareBytes) may end the turn sooner.
    private const int MaxChunksPerTurn = 4;

    private const int OpenRetryMs = 5_000;

    private readonly ForwarderOptions _options;
    private readonly FileScanner _scanner;
    private readonly DiscoveryWatcher _watcher;
    private readonly CheckpointStore _store;
    private readonly ShippingQueue _queue;
    private readonly ShippingCounters _shipping;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SyslogEncoderOptions _encoderOptions;
    private readonly MultilineSettings _multiline;
    private readonly MetadataGate _metadata;
    private readonly long _partialTimeoutMs;
    private readonly long _rotateWaitMs;
    private readonly List<FileTailer> _backlogged = [];
    private volatile FileTailer[] _snapshot = [];

    public TailingLoop(
        ForwarderOptions options,
        FileScanner scanner,
        DiscoveryWatcher watcher,
        CheckpointStore store,
        ShippingQueue queue,
        ShippingCounters shipping,
        TailingCounters counters,
        TimeProvider time,
        ILogger<TailingLoop> logger,
        MetadataGate? metadata = null,
        RateLimits? limits = null)
    {
        _metadata = metadata ?? MetadataGate.Off;
        Limits = limits ?? RateLimits.Off;
        _options = options;
        _scanner = scanner;
        _watcher = watcher;
        _store = store;
        _queue = queue;
        _shipping = shipping;
        Counters = counters;
        _time = time;
        _logger = logger;
        _partialTimeoutMs = (long)options.PartialFlushTimeout.TotalMilliseconds;
        _rotateWaitMs = (long)options.RotateWait.TotalMilliseconds;
        _encoderOptions = new SyslogEncoderOptions
        {
            HostName = options.Node,
            StructuredDataId = options.StructuredDataId,
            Facility = options.Facility,
            StdoutSeverity = options.StdoutSeverity,
            StderrSeverity = options.StderrSeverity,
        };
        _multiline = new MultilineSettings(options.Multiline, options.MultilineRules, options.MultilineMaxLines, options.MultilineFlushTimeout);
    }

    public TailingCounters Counters { get; }

    /// <summary>The pods' rate limits (for metrics).</summary>
    public RateLimits Limits { get; }

    /// <summary>The files being tailed (for metrics; a copy, safe to read from any thread).</summary>
    public IReadOnlyList<FileTailer> Files => _snapshot;

    /// <summary>Set once the first scan was applied (for health).</summary>
    public bool Started { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The buffer holds any line up to the size limit whole, plus room so that a chunk usually holds many lines.
        var context = new ReadContext(_options.MaxLineSize + (64 * 1024), Counters);
        context.Batch = await _queue.RentAsync(cancellationToken).ConfigureAwait(false);
        context.SetTime(_time);
        LoadCheckpoints();
        ApplyScan(context, firstScan: true);
        ResumeRotatedFiles(context);
        SaveCheckpoints();
        Started = true;
        long nextScan = context.Now + (long)_options.ScanInterval.TotalMilliseconds;
        long nextCheckpoint = context.Now + (long)_options.CheckpointInterval.TotalMilliseconds;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                context.SetTime(_time);
                if (context.Now >= nextScan)
                {
                    ApplyScan(context, firstScan: false);
                    nextScan = context.Now + (long)_options.ScanInterval.TotalMilliseconds;
                }

                var delivered = _queue.NextReturn;
                bool progressed = await ReadFilesAsync(context, cancellationToken).ConfigureAwait(false);
                if (!context.Batch.IsEmpty)
                {
                    await HandOverAsync(context, cancellationToken).ConfigureAwait(false);
                }

                if (context.Now >= nextCheckpoint)
                {
                    SaveCheckpoints();
                    nextCheckpoint = context.Now + (long)_options.CheckpointInterval.TotalMilliseconds;
                }

                if (!progressed && await WaitAsync(context, Math.Min(nextScan, nextCheckpoint), delivered, cancellationToken).ConfigureAwait(false))
                {
                    nextScan = 0;
                }
            }
        }
        finally
        {
            // What was parsed but not handed over is simply not committed: it is read again at the next start.
            TailingLog.Stopped(_logger, Counters.Lines, Counters.Bytes, _snapshot.Count(t => t.IsOpen));
        }
    }

    /// <summary>Saves what the shipper confirmed; called once more after the shipper stopped.</summary>
    public void SaveFinalCheckpoints()
    {
        SaveCheckpoints();
        foreach (var tailer in _snapshot)
        {
            tailer.Dispose();
        }
    }

    // Files with nothing unconfirmed and little new data (a quiet pod's new lines) are read first, into batches of
    // their own that go in the queue's urgent lane, ahead of the backlogs' batches; the other files after them.
    private async ValueTask<bool> ReadFilesAsync(ReadContext context, CancellationToken cancellationToken)
    {
        if (!context.Batch!.IsEmpty)
        {
            // Each pass ends by handing over what it filled, so this is not expected; but an urgent batch must hold
            // nothing else.
            await HandOverAsync(context, cancellationToken).ConfigureAwait(false);
        }

        bool progressed = false;
        _backlogged.Clear();
        foreach (var tailer in _snapshot)
        {
            if (tailer.InFlight || tailer.Size - tailer.ReadOffset > ShippingQueue.BatchBytes)
            {
                _backlogged.Add(tailer);
                continue;
            }

            progressed |= await ReadFileAsync(tailer, context, urgent: true, cancellationToken).ConfigureAwait(false);
        }

        if (!context.Batch!.IsEmpty)
        {
            await HandOverAsync(context, cancellationToken, urgent: true).ConfigureAwait(false);
        }

        foreach (var tailer in _backlogged)
        {
            progressed |= await ReadFileAsync(tailer, context, urgent: false, cancellationToken).ConfigureAwait(false);
        }

        _backlogged.Clear();
        return progressed;
    }

    // One file's turn: up to MaxChunksPerTurn chunks, and never more than its share of the queue unconfirmed. True when
    // it read something.
    private async ValueTask<bool> ReadFileAsync(FileTailer tailer, ReadContext context, bool urgent, CancellationToken cancellationToken)
    {
        tailer.StartTurn();

        // A file whose pod's metadata has not come yet waits unread (its lines stay in order), up to --metadata-wait.
        if (!tailer.IsDue(context.Now) || !TryOpen(tailer, context) || tailer.AwaitsMetadata(context.Now))
        {
            return false;
        }

        try
        {
            int chunks = 0;
            while (chunks < MaxChunksPerTurn)
            {
                // A file with a backlog would otherwise fill the whole queue, and every other file's new lines would
                // wait behind all of it (issue 19: a second behind a 464 MB backlog). It waits here instead, unread
                // data in its file, until a batch is delivered.
                if (tailer.UsedShare(_queue.FileShareBytes))
                {
                    Counters.AddShareWait();
                    break;
                }

                if (tailer.ReadChunk(context) == 0)
                {
                    break;
                }

                chunks++;
                if (context.Batch!.Bytes >= ShippingQueue.BatchBytes)
                {
                    await HandOverAsync(context, cancellationToken, urgent).ConfigureAwait(false);
                }
            }

            if (tailer.TakeTruncationNotice())
            {
                TailingLog.Truncated(_logger, tailer.File.Path);
            }

            if (chunks > 0)
            {
                tailer.RefreshSize();
                if (tailer.HeldByRateLimit)
                {
                    // A file under a limit is mostly read a few tokens at a time: the deletion is noticed here too.
                    SkipIfDeleted(tailer, context);
                }
                else
                {
                    tailer.ReadAgainAtOnce();
                }

                return true;
            }

            if (tailer.WaitingForShare)
            {
                // Not at its end: rotation, partial and close checks wait until it is.
                return false;
            }

            if (tailer.HeldByRateLimit)
            {
                // Not at its end either; and once the file is deleted its unread lines cannot wait any longer.
                return SkipIfDeleted(tailer, context);
            }

            if (tailer.AtEnd(context, _partialTimeoutMs, _rotateWaitMs, out bool closed))
            {
                TailingLog.Truncated(_logger, tailer.File.Path);
                tailer.ReadAgainAtOnce();
                return false;
            }

            if (closed)
            {
                Counters.AddFileClosed();
                TailingLog.Closed(_logger, tailer.File.Path, tailer.ReadOffset);
                return false;
            }

            tailer.BackOff(context.Now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One bad file never stops the others: close it and open it again later from its offset.
            TailingLog.ReadFailed(_logger, tailer.File.Path, TimeSpan.FromMilliseconds(OpenRetryMs), e);
            tailer.CloseForRetry(context.Now + OpenRetryMs);
        }

        return false;
    }

    // A file held by its pod's rate limit waits for tokens, unless it was deleted meanwhile: then what is left of it is
    // skipped, with a marker message in its place (true: something was sent).
    private bool SkipIfDeleted(FileTailer tailer, ReadContext context)
    {
        long lines = tailer.SkipIfDeleted(context, out long bytes);
        if (lines == 0)
        {
            tailer.WaitForTokens(context.Now);
            return false;
        }

        RateLimitLog.Skipped(_logger, lines, tailer.Limit!.Namespace, tailer.Limit.Pod, tailer.File.Path, bytes);
        tailer.ReadAgainAtOnce();
        return true;
    }

    private bool TryOpen(FileTailer tailer, ReadContext context)
    {
        if (tailer.IsOpen)
        {
            return true;
        }

        if (context.Now < tailer.RetryOpenAt)
        {
            return false;
        }

        if (tailer.TryOpen(context.Now, OpenRetryMs, out var error))
        {
            Counters.AddFileOpened();
            return true;
        }

        Counters.AddOpenError();
        if (tailer.GoneSince is not null
            && !(FileStatus.TryGet(tailer.File.RealPath, out var status, out _)
                && status.IsSameFileAs(tailer.File.Status)))
        {
            // Renamed within its directory (rotated between the scan that found it and its first open): read it
            // under its new name, as a file rotated while we were down is.
            if (FileLocator.FindByIdentity(Path.GetDirectoryName(tailer.File.RealPath), tailer.Identity) is string moved
                && !string.Equals(moved, tailer.File.RealPath, StringComparison.Ordinal))
            {
                tailer.MovedTo(moved);
                TailingLog.ResumingRotated(_logger, moved, tailer.File.Path, tailer.ReadOffset);
                if (tailer.TryOpen(context.Now, OpenRetryMs, out _))
                {
                    Counters.AddFileOpened();
                    return true;
                }
            }

            // Renamed away or deleted before it could be opened: nothing to hold on to, and a successor waiting for
            // it to be drained must not wait forever.
            tailer.Dispose();
            Counters.AddFileClosed();
            TailingLog.GoneBeforeOpen(_logger, tailer.File.RealPath);
            return false;
        }

        if (error is not null)
        {
            TailingLog.OpenFailed(_logger, tailer.File.RealPath, TimeSpan.FromMilliseconds(OpenRetryMs), error);
        }

        return false;
    }

    private async ValueTask HandOverAsync(ReadContext context, CancellationToken cancellationToken, bool urgent = false)
    {
        var batch = context.Batch!;
        _shipping.AddEnqueued(batch.Count);
        await _queue.EnqueueAsync(batch, cancellationToken, urgent).ConfigureAwait(false);
        context.Batch = null;
        var rent = _queue.RentAsync(cancellationToken);
        if (!rent.IsCompleted)
        {
            // The network is behind and reading pauses, but discovery goes on: a file rotated now (and perhaps rotated
            // again before the queue drains) is opened and held, so its lines can be read later even after a rename.
            var waiting = rent.AsTask();
            while (!waiting.IsCompleted)
            {
                await Task.WhenAny(waiting, Task.Delay(_options.ScanInterval, _time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (!waiting.IsCompleted)
                {
                    context.SetTime(_time);
                    ApplyScan(context, firstScan: false);
                }
            }

            context.Batch = await waiting.ConfigureAwait(false);
            return;
        }

        context.Batch = await rent.ConfigureAwait(false);
    }

    // Sleeps until the first file is due for a look, the next scan or checkpoint, or a discovery event; or, while a
    // file waits for its share of the queue, until a batch is delivered. True after a discovery event.
    private async ValueTask<bool> WaitAsync(ReadContext context, long wakeBy, Task delivered, CancellationToken cancellationToken)
    {
        long due = wakeBy;
        bool waitingForShare = false;
        foreach (var tailer in _snapshot)
        {
            if (tailer.WaitingForShare)
            {
                waitingForShare = true;
            }
            else if (!tailer.IsClosed)
            {
                due = Math.Min(due, tailer.DueAt);
            }
        }

        long delay = Math.Clamp(due - context.Now, FileTailer.MinPollMs, FileTailer.MaxPollMs);
        return await _watcher.WaitAsync(TimeSpan.FromMilliseconds(delay), cancellationToken, waitingForShare ? delivered : null)
            .ConfigureAwait(false);
    }
}
