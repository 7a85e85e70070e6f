using Forwarder.Shipping;
using Forwarder.Tailing;

namespace Forwarder;

/// <summary>
/// Gives memory back to the node once a burst of work is over. A burst (pods created, a backlog read) grows the GC's
/// committed memory and the shipping queue's batches, and a workstation GC only decommits during a collection: an idle
/// Forwarder allocates little, so no collection comes and resident memory stays at the burst's level for hours
/// (docs/forwarder-resources.md has the measurements). Once idle after a burst, this lets the queue's free batches go
/// of their buffers, runs one aggressive collection, which compacts and decommits all the GC can, and trims malloc's
/// arenas (<see cref="GlibcHeap"/>), at most once per <see cref="MinimumGap"/>. A burst is much allocated while lines
/// were read, or many files let go (pods deleted). Idle means no file byte read (and no file opened or closed) during
/// the last <see cref="CheckInterval"/>, or (for a slow trickle of lines) less than one gen0 budget allocated in it:
/// with hundreds of files tailed the rescans and checkpoints allocated more than that with no line written, so
/// allocation alone never showed the Forwarder idle while pods kept restarting. A busy Forwarder is never interrupted:
/// it reads, so it is not idle.
/// </summary>
internal sealed class MemoryTrimmer : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    /// <summary>At most one trim per this: an aggressive collection of the Forwarder's heap takes tens of ms.</summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(30);

    /// <summary>Allocated since the last trim before there is anything worth giving back: a few gen0 budgets.</summary>
    public const long BurstBytes = 32L * 1024 * 1024;

    /// <summary>
    /// Allocated during the last check interval below which the Forwarder counts as idle: less than the 4 MiB gen0
    /// budget set in Forwarder.csproj, so not even one collection's worth of work per interval (a /metrics scrape of
    /// hundreds of tailed files allocates a few hundred KB).
    /// </summary>
    public const long QuietBytes = 4L * 1024 * 1024 - 1;

    /// <summary>
    /// Committed memory beyond the heap after the last collection at which an idle Forwarder is trimmed even when it
    /// read nothing since the last trim (a scan of thousands of new empty files, say). Well above what the GC keeps for
    /// its next gen0 budgets (a few MB; 10–14 MB measured with 600 files tailed during restarts), so that a steady
    /// state is not trimmed over and over.
    /// </summary>
    public const long SlackBytes = 16L * 1024 * 1024;

    /// <summary>
    /// At most one trim for slack per this: the GC's own collections decommit some of it over time too, and a heap
    /// that keeps that much free for a reason (it refills it) should not pay a blocking collection twice a minute.
    /// </summary>
    public static readonly TimeSpan SlackGap = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Files closed since the last trim that make a burst however little was allocated: when pods are deleted their
    /// tailers, old enough to be in gen2 by then, become garbage that only a full collection frees, and deleting them
    /// reads nothing and allocates little (the last deletion of 300 restarting pods, with 600 files tailed, left the
    /// GC committing 28 MB for a 6 MB live heap until a trim, docs/forwarder-resources.md).
    /// </summary>
    public const long ClosedFilesBurst = 32;

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<long> _allocatedBytes;
    private readonly Action _collect;
    private readonly Func<long>? _bytesRead;
    private readonly Func<long>? _slack;
    private readonly Func<long>? _release;
    private readonly Func<long>? _filesClosed;
    private readonly Func<bool>? _nativeTrim;
    private long _allocatedAtLastCheck;
    private long _allocatedAtLastTrim;
    private long _readAtLastCheck;
    private long _readAtLastTrim;
    private long _closedAtLastTrim;
    private long? _lastTrimAt;
    private long _trims;

    public MemoryTrimmer(TimeProvider time, ILogger<MemoryTrimmer> logger, TailingCounters tailing, ShippingQueue queue)
        : this(
            time,
            logger,
            () => GC.GetTotalAllocatedBytes(),
            Collect,
            () => Activity(tailing),
            Slack,
            queue.ReleaseIdleBuffers,
            () => tailing.FilesClosed,
            GlibcHeap.IsAvailable ? GlibcHeap.TryTrim : null)
    {
    }

    /// <summary>
    /// For tests: the counters, the release and the collection are given, so decisions can be checked.
    /// <paramref name="bytesRead"/> null: idle is judged by allocation alone, and every burst counts.
    /// <paramref name="filesClosed"/> null: only allocation makes a burst. <paramref name="nativeTrim"/> null: malloc's
    /// arenas are not trimmed (no glibc), otherwise it runs after each collection and says whether it gave pages back.
    /// </summary>
    internal MemoryTrimmer(
        TimeProvider time,
        ILogger logger,
        Func<long> allocatedBytes,
        Action collect,
        Func<long>? bytesRead = null,
        Func<long>? slack = null,
        Func<long>? release = null,
        Func<long>? filesClosed = null,
        Func<bool>? nativeTrim = null)
    {
        _time = time;
        _logger = logger;
        _allocatedBytes = allocatedBytes;
        _collect = collect;
        _bytesRead = bytesRead;
        _slack = slack;
        _release = release;
        _filesClosed = filesClosed;
        _nativeTrim = nativeTrim;
        _allocatedAtLastCheck = allocatedBytes();
        _allocatedAtLastTrim = _allocatedAtLastCheck;
        _readAtLastCheck = bytesRead?.Invoke() ?? 0;
        _readAtLastTrim = _readAtLastCheck;
        _closedAtLastTrim = filesClosed?.Invoke() ?? 0;
    }

    /// <summary>Aggressive collections run so far (on /metrics).</summary>
    public long Trims => Interlocked.Read(ref _trims);

    /// <summary>One look: trims if a burst is over. Returns whether it trimmed.</summary>
    internal bool Check()
    {
        long now = _time.GetTimestamp();
        long allocated = _allocatedBytes();
        long sinceCheck = allocated - _allocatedAtLastCheck;
        _allocatedAtLastCheck = allocated;
        long read = _bytesRead?.Invoke() ?? 0;
        bool readNothing = _bytesRead is not null && read == _readAtLastCheck;
        _readAtLastCheck = read;
        if (sinceCheck >= QuietBytes && !readNothing)
        {
            return false;
        }

        // A burst is much allocated while lines were read: rescans of files that stay quiet allocate steadily, and
        // without the reads every idle minute would count as a burst and be trimmed for nothing.
        long closed = _filesClosed?.Invoke() ?? 0;
        bool burst = (allocated - _allocatedAtLastTrim >= BurstBytes && (_bytesRead is null || read != _readAtLastTrim))
            || closed - _closedAtLastTrim >= ClosedFilesBurst;
        bool rested = _lastTrimAt is not { } last || _time.GetElapsedTime(last, now) >= MinimumGap;
        bool slackRested = _lastTrimAt is not { } lastTrim || _time.GetElapsedTime(lastTrim, now) >= SlackGap;
        if (!(burst && rested) && !(slackRested && _slack?.Invoke() >= SlackBytes))
        {
            return false;
        }

        long burstBytes = allocated - _allocatedAtLastTrim;
        long released = _release?.Invoke() ?? 0;
        var before = GC.GetGCMemoryInfo();
        _collect();

        // After the collection: finalizers it queued have freed their native memory (file handles' and sockets'
        // buffers), so the arenas hold the most free pages now.
        bool nativeTrimmed = _nativeTrim?.Invoke() ?? false;
        var after = GC.GetGCMemoryInfo();
        _lastTrimAt = _time.GetTimestamp();
        _allocatedAtLastTrim = _allocatedBytes();
        _allocatedAtLastCheck = _allocatedAtLastTrim;
        _readAtLastTrim = read;
        _closedAtLastTrim = closed;
        Interlocked.Increment(ref _trims);
        MemoryLog.Trimmed(
            _logger,
            burstBytes / (1024 * 1024),
            released / 1024,
            before.TotalCommittedBytes / (1024 * 1024),
            after.TotalCommittedBytes / (1024 * 1024),
            nativeTrimmed,
            _time.GetElapsedTime(now).TotalMilliseconds);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            Check();
        }
    }

    // GCCollectionMode.Aggressive (.NET 7+): a blocking, compacting full collection that also decommits the free
    // regions and end-of-region space a normal collection keeps committed for the next allocations.
    // Then the finalizers it found run (SafeHandles of closed files and sockets), before malloc's arenas are trimmed.
    private static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    // What the tailing loop did: bytes read, and files opened and closed. The files count too: when restarting pods are
    // finally deleted, hundreds of tailers are let go with no line read, and that garbage is a burst worth a trim.
    private static long Activity(TailingCounters tailing) => tailing.Bytes + tailing.FilesOpened + tailing.FilesClosed;

    // Committed memory the last collection left beyond the heap: what an aggressive collection could give back at
    // least (garbage promoted before the last collection comes on top).
    private static long Slack()
    {
        var info = GC.GetGCMemoryInfo();
        return info.TotalCommittedBytes - info.HeapSizeBytes;
    }
}
