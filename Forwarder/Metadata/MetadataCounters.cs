namespace Forwarder.Metadata;

/// <summary>What the metadata source and the tailing loop's wait for it count, for <c>/metrics</c>.</summary>
internal sealed class MetadataCounters
{
    private long _lists;
    private long _relistsGone;
    private long _watchEvents;
    private long _errors;
    private long _waitTimeouts;
    private long _shippedUnavailable;
    private long _linesWithout;
    private long _linesExcluded;
    private long _evictions;

    /// <summary>Full lists (pages of one list count once).</summary>
    public long Lists => Interlocked.Read(ref _lists);

    /// <summary>Lists made because the watch's resourceVersion was too old (410 Gone).</summary>
    public long RelistsGone => Interlocked.Read(ref _relistsGone);

    public long WatchEvents => Interlocked.Read(ref _watchEvents);

    /// <summary>Failed lists or watches (retried with backoff).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Files whose lines waited the whole --metadata-wait and then went without metadata.</summary>
    public long WaitTimeouts => Interlocked.Read(ref _waitTimeouts);

    /// <summary>Files that went without metadata at once because the source was unavailable.</summary>
    public long ShippedWhileUnavailable => Interlocked.Read(ref _shippedUnavailable);

    /// <summary>Lines of pods shipped without their metadata (path identity only).</summary>
    public long LinesWithoutMetadata => Interlocked.Read(ref _linesWithout);

    /// <summary>Lines not shipped because of the pod's kube-syslog.io/exclude annotation.</summary>
    public long LinesExcluded => Interlocked.Read(ref _linesExcluded);

    /// <summary>Pods dropped from the cache because it was full.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    public void AddList() => Interlocked.Increment(ref _lists);

    public void AddRelistGone() => Interlocked.Increment(ref _relistsGone);

    public void AddWatchEvent() => Interlocked.Increment(ref _watchEvents);

    public void AddError() => Interlocked.Increment(ref _errors);

    public void AddWaitTimeout() => Interlocked.Increment(ref _waitTimeouts);

    public void AddShippedWhileUnavailable() => Interlocked.Increment(ref _shippedUnavailable);

    public void AddLineWithoutMetadata() => Interlocked.Increment(ref _linesWithout);

    public void AddLineExcluded() => Interlocked.Increment(ref _linesExcluded);

    public void AddEviction() => Interlocked.Increment(ref _evictions);
}
