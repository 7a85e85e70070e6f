using Shared.Transport;

namespace Forwarder.Shipping;

/// <summary>
/// A batch handed to the link and not yet committed: delivered once a plain target took it on its socket, or once a
/// <c>relp://</c> target answered every message of its <see cref="RelpDelivery"/>.
/// </summary>
internal sealed class InFlightBatch(OutgoingBatch batch, RelpDelivery? delivery)
{
    public OutgoingBatch Batch { get; } = batch;

    /// <summary>Null when no target speaks RELP.</summary>
    public RelpDelivery? Delivery { get; } = delivery;

    /// <summary>A target without acknowledgements took what was left of it.</summary>
    public bool Written { get; set; }

    public bool IsDelivered => Written || Delivery is { IsComplete: true };
}
