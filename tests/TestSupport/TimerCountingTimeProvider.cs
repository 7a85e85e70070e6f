using Microsoft.Extensions.Time.Testing;

namespace TestSupport;

/// <summary>
/// <see cref="FakeTimeProvider"/> that also says how many one-shot timers are waiting, so a test can wait until the
/// code under test has started its delay before it advances the clock (advancing first would start the delay from
/// the new time, and it would never fall due).
/// </summary>
public sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private int _scheduled;

    /// <summary>
    /// Timers created and neither fired nor disposed yet, e.g. a retry delay the code under test has started.
    /// </summary>
    public int ScheduledTimers => Volatile.Read(ref _scheduled);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this);
        timer.Inner = base.CreateTimer(
            s =>
            {
                timer.Done();
                callback(s);
            },
            state,
            dueTime,
            period);

        // Counted only once the fake clock holds it: counted before, a test could see it, advance the clock, and the
        // timer would then be registered from the new time and never fall due. A timer that fired (or was disposed)
        // while being created was already taken off by Done, which makes this increment even it out.
        Interlocked.Increment(ref _scheduled);
        return timer;
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner) : ITimer
    {
        private int _done;

        public ITimer Inner { get; set; } = null!;

        public void Done()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Interlocked.Decrement(ref owner._scheduled);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period) => Inner.Change(dueTime, period);

        public void Dispose()
        {
            Done();
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Done();
            return Inner.DisposeAsync();
        }
    }
}
