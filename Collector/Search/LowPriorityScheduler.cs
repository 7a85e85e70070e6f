using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Collector.Search;

/// <summary>
/// Runs searches on a few dedicated threads with a raised nice value, so that when a search and ingest want the same
/// core the kernel gives it to ingest (CFS weights nice 10 against nice 0 about 1:9). Searches stay as fast as ever on
/// an idle machine; under load they slow down instead of ingest. Lowering a thread's priority needs no privilege.
/// </summary>
internal sealed partial class LowPriorityScheduler : TaskScheduler, IDisposable
{
    public const int Nice = 10;

    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;

    public LowPriorityScheduler(int threads)
    {
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"search-{i}" };
            _threads[i].Start();
        }
    }

    public override int MaximumConcurrencyLevel => _threads.Length;

    public void Dispose() => _queue.CompleteAdding();

    protected override void QueueTask(Task task) => _queue.Add(task);

    // Never inline: a search must not run at normal priority on a request thread.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Work()
    {
        // Linux applies PRIO_PROCESS with who = 0 to the calling thread only (each thread is its own task).
        if (OperatingSystem.IsLinux())
        {
            _ = SetPriority(0, 0, Nice);
        }

        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
