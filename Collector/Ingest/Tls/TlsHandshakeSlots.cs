namespace Collector.Ingest.Tls;

/// <summary>
/// The limit on TLS handshakes in progress, shared by <c>--tls</c> and <c>--relp-tls</c>. Without it a burst of new
/// connections starts every handshake at once: each gets a sliver of the CPU, all of them outlast the handshake
/// timeout and are dropped after the CPU was spent on them, and accepted connections collapse instead of levelling off
/// at capacity. With it the handshakes that hold a slot finish quickly and the rest wait, costing nothing but a socket.
/// </summary>
public sealed class TlsHandshakeSlots(int slots, TlsCounters counters) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(slots, slots);

    /// <summary>
    /// Waits for a slot; false when <paramref name="giveUp"/> fires first. A true result must be given back with
    /// <see cref="Release"/>.
    /// </summary>
    public async Task<bool> WaitAsync(CancellationToken giveUp)
    {
        counters.HandshakeWaiting(1);
        try
        {
            await _slots.WaitAsync(giveUp).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            counters.HandshakeWaiting(-1);
        }

        counters.HandshakeStarted(1);
        return true;
    }

    public void Release()
    {
        counters.HandshakeStarted(-1);
        _slots.Release();
    }

    public void Dispose() => _slots.Dispose();
}
