using Forwarder.Enrichment;
using Forwarder.Metadata;
using Forwarder.Parsing;

namespace Forwarder.Tailing;

/// <summary>
/// The pod metadata of this file's lines (docs/kubernetes-metadata.md): looked up before each read, the encoder made
/// again when it changed, and the file held unread while the metadata of a new pod is still on its way, for at most
/// --metadata-wait. After that, or at once while the source is unavailable, lines go with their path identity and are
/// counted; metadata that comes later is used from then on.
/// </summary>
internal sealed partial class FileTailer
{
    private readonly SyslogEncoderOptions _encoderOptions;
    private readonly string _appName;
    private readonly MetadataGate _gate;
    private long _metadataWaitUntil = -1;
    private bool _metadataGivenUp;

    /// <summary>The metadata the encoder uses now; null: the path identity only.</summary>
    public PodMetadata? Metadata { get; private set; }

    /// <summary>
    /// True when the file must not be read yet because its pod's metadata may still come (it backs off meanwhile).
    /// </summary>
    public bool AwaitsMetadata(long now)
    {
        if (!_gate.Enabled || Pod is null)
        {
            return false;
        }

        if (_gate.Find(Pod) is { } found)
        {
            if (!ReferenceEquals(found, Metadata))
            {
                Metadata = found;
                _encoder = new SyslogEncoder(_encoderOptions, Pod, _appName, found);
                ApplyAnnotations(found.Annotations);
            }

            return false;
        }

        // Known before (and pruned since), or given up on: the lines go on as they are.
        if (Metadata is not null || _metadataGivenUp)
        {
            return false;
        }

        if (!_gate.WorthWaiting)
        {
            _metadataGivenUp = true;
            _gate.Counters.AddShippedWhileUnavailable();
            return false;
        }

        if (_gate.FirstListPending(now))
        {
            BackOff(now);
            return true;
        }

        if (_metadataWaitUntil < 0)
        {
            _metadataWaitUntil = now + _gate.WaitMs;
        }

        if (now < _metadataWaitUntil)
        {
            // A polling source fetches soon (it bounds how often), and again while this waits, in case its fetch
            // in flight began before the pod was there.
            _gate.WaitingForUnknownPod();
            BackOff(now);
            return true;
        }

        _metadataGivenUp = true;
        _gate.Counters.AddWaitTimeout();
        return false;
    }

    /// <summary>False when the pod's exclude annotation drops this stream (counted); counts lines without
    /// metadata.</summary>
    private bool CountMetadata(LogStream stream)
    {
        if (!_gate.Enabled || Pod is null)
        {
            return true;
        }

        if (Metadata is not { } metadata)
        {
            _gate.Counters.AddLineWithoutMetadata();
            return true;
        }

        var excluded = metadata.Excluded;
        bool drop = excluded == ExcludedStreams.All
            || (stream == LogStream.Stdout && excluded.HasFlag(ExcludedStreams.Stdout))
            || (stream == LogStream.Stderr && excluded.HasFlag(ExcludedStreams.Stderr));
        if (drop)
        {
            // Not sent; the next message's origin range covers these bytes, so the Collector sees no gap.
            _gate.Counters.AddLineExcluded();
        }

        return !drop;
    }
}
