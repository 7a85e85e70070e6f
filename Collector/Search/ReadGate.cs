namespace Collector.Search;

/// <summary>
/// Where every read of the stored files runs (searches, volume counts, label values): at most half the cores at once,
/// so ingest always keeps a core, on <see cref="LowPriorityScheduler"/> threads, so ingest wins a contended core.
/// </summary>
public sealed class ReadGate : IDisposable
{
    /// <summary>How many reads run at once.</summary>
    public static readonly int Readers = Math.Max(1, Environment.ProcessorCount / 2);

    private readonly SemaphoreSlim _gate = new(Readers);
    private readonly LowPriorityScheduler _scheduler = new(Readers);

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, _scheduler).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _scheduler.Dispose();
    }
}
