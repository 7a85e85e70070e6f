using Forwarder.Metadata;
using Forwarder.Multiline;

namespace Forwarder.Tailing;

/// <summary>
/// The pod's <c>kube-syslog.io/multiline</c> and <c>kube-syslog.io/rate-limit</c> annotations
/// (docs/kubernetes-metadata.md), applied whenever the pod's metadata changes, so a pod whose annotation is changed
/// while it runs gets the new value from its next line on.
/// </summary>
internal sealed partial class FileTailer
{
    private readonly MultilineSettings? _multiline;
    private readonly int _maxLineSize;
    private MultilineSpec? _multilineAnnotation;

    private void ApplyAnnotations(PodAnnotations annotations)
    {
        Limit = _limits.For(Pod, annotations.RateLimit);
        if (_multiline is null || annotations.Multiline?.Text == _multilineAnnotation?.Text)
        {
            return;
        }

        if (_joiner is not null && _context is { Batch: { } batch } context)
        {
            // Lines held for the old way of joining go as they are; the next line starts the new way.
            _joiner.FlushAll(context.Now, this);
            batch.SetProgress(this, ProgressOffset, _epoch);
        }

        _joiner = _multiline.JoinerFor(Pod, _maxLineSize, annotations.Multiline);
        _multilineAnnotation = annotations.Multiline;
    }
}
