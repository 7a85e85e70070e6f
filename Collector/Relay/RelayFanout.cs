namespace Collector.Relay;

/// <summary>
/// The relays ingest hands messages to: an immutable array swapped whole on every reload, so an ingest loop reads
/// it with one volatile load per message and never takes a lock, and a reload never pauses ingest.
/// </summary>
public sealed class RelayFanout
{
    private RelayTarget[] _relays = [];

    public RelayTarget[] Current => Volatile.Read(ref _relays);

    public void Publish(RelayTarget[] relays) => Volatile.Write(ref _relays, relays);
}
