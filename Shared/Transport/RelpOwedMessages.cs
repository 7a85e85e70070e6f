using Shared.Relp;

namespace Shared.Transport;

/// <summary>
/// What a set of <see cref="RelpDelivery"/>s still has to send, in the order of the deliveries (each one's re-sends
/// first): the session takes a message only when its window has room, so no message is taken and then not sent.
/// One per sender, reset for each send (one caller at a time).
/// </summary>
internal sealed class RelpOwedMessages : IRelpMessageSource
{
    private IReadOnlyList<RelpDelivery> _deliveries = [];
    private int _current;

    /// <summary>Some delivery has a message to send.</summary>
    public bool HasNext
    {
        get
        {
            for (int d = _current; d < _deliveries.Count; d++)
            {
                if (_deliveries[d].HasNext)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public void Reset(IReadOnlyList<RelpDelivery> deliveries)
    {
        _deliveries = deliveries;
        _current = 0;
    }

    public bool TryTakeNext(out ReadOnlyMemory<byte> message, out object? state, out int tag)
    {
        for (; _current < _deliveries.Count; _current++)
        {
            var delivery = _deliveries[_current];
            if (delivery.TryTakeNext(out int index))
            {
                message = delivery[index];
                state = delivery;
                tag = index;
                return true;
            }
        }

        message = default;
        state = null;
        tag = 0;
        return false;
    }
}
