namespace Forwarder;

/// <summary>
/// Gives memory back to the node once a burst of work is over. A burst (pods created, a backlog read) grows the GC's
/// committed memory, and a workstation GC only decommits during a collection: an idle Forwarder allocates next to
/// nothing, so no collection comes and resident memory stays at the burst's level for hours
/// (docs/forwarder-resources.md has the measurements). When much was allocated since the last trim and the last
/// <see cref="CheckInterval"/> allocated less than one gen0 budget (the Forwarder is idle, not in the middle of a
/// burst), this runs one aggressive collection, which compacts and decommits all the GC can, and at most once per
/// <see cref="MinimumGap"/>. A busy Forwarder is never interrupted: it is by definition not quiet.
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

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<long> _allocatedBytes;
    private readonly Action _collect;
    private long _allocatedAtLastCheck;
    private long _allocatedAtLastTrim;
    private long? _lastTrimAt;
    private long _trims;

    public MemoryTrimmer(TimeProvider time, ILogger<MemoryTrimmer> logger)
        : this(time, logger, () => GC.GetTotalAllocatedBytes(), Collect)
    {
    }

    /// <summary>For tests: the allocation counter and the collection are given, so decisions can be checked.</summary>
    internal MemoryTrimmer(TimeProvider time, ILogger logger, Func<long> allocatedBytes, Action collect)
    {
        _time = time;
        _logger = logger;
        _allocatedBytes = allocatedBytes;
        _collect = collect;
        _allocatedAtLastCheck = allocatedBytes();
        _allocatedAtLastTrim = _allocatedAtLastCheck;
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
        bool rested = _lastTrimAt is not { } last || _time.GetElapsedTime(last, now) >= MinimumGap;
        if (sinceCheck >= QuietBytes || allocated - _allocatedAtLastTrim < BurstBytes || !rested)
        {
            return false;
        }

        long burst = allocated - _allocatedAtLastTrim;
        var before = GC.GetGCMemoryInfo();
        _collect();
        var after = GC.GetGCMemoryInfo();
        _lastTrimAt = _time.GetTimestamp();
        _allocatedAtLastTrim = _allocatedBytes();
        _allocatedAtLastCheck = _allocatedAtLastTrim;
        Interlocked.Increment(ref _trims);
        MemoryLog.Trimmed(
            _logger,
            burst / (1024 * 1024),
            before.TotalCommittedBytes / (1024 * 1024),
            after.TotalCommittedBytes / (1024 * 1024),
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
    private static void Collect() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
