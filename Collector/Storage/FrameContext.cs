namespace Collector.Storage;

/// <summary>What the receiver knows about a frame besides its bytes.</summary>
/// <param name="Peer">The sender's address as text (UTF-8): the HOSTNAME of messages that carry none.</param>
/// <param name="ReceivedAt">Receipt time: the TIMESTAMP of messages that carry none.</param>
/// <param name="Truncated">The frame was cut at the maximum message size.</param>
/// <param name="OriginalLength">The frame's announced or seen length when truncated; -1 when unknown.</param>
/// <param name="SpoofedBy">
/// The node the client certificate names, as an SD PARAM-VALUE, when the HOSTNAME claims another (docs/security.md);
/// empty otherwise.
/// </param>
public readonly record struct FrameContext(
    ReadOnlyMemory<byte> Peer,
    DateTimeOffset ReceivedAt,
    bool Truncated = false,
    long OriginalLength = -1,
    ReadOnlyMemory<byte> SpoofedBy = default)
{
    /// <summary>The line carries our <c>kube-syslog@32473</c> element.</summary>
    public bool HasMarker => Truncated || !SpoofedBy.IsEmpty;
}
