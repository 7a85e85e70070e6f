using System.Diagnostics;

namespace EndToEnd.Tests;

/// <summary>Samples a growing count every 10 ms, to tell how much had arrived by a given moment.</summary>
internal sealed class ReceiveTimeline : IAsyncDisposable
{
    private readonly Func<int> _count;
    private readonly List<(long Tick, int Count)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ReceiveTimeline(Func<int> count)
    {
        _count = count;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                await Task.Delay(10, CancellationToken.None);
            }
        });
    }

    /// <summary>The count at <paramref name="tick"/> (Environment.TickCount64), or the earliest known.</summary>
    public int CountAt(long tick)
    {
        lock (_samples)
        {
            int count = _samples.Count > 0 ? _samples[0].Count : 0;
            foreach (var sample in _samples)
            {
                if (sample.Tick > tick)
                {
                    break;
                }

                count = sample.Count;
            }

            return count;
        }
    }

    /// <summary>Waits until the count has not changed for <paramref name="quiet"/> (10 s at most).</summary>
    public async Task WaitUntilQuietAsync(TimeSpan quiet)
    {
        var clock = Stopwatch.StartNew();
        int last = _count();
        var since = clock.Elapsed;
        while (clock.Elapsed - since < quiet && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
            int now = _count();
            if (now != last)
            {
                last = now;
                since = clock.Elapsed;
            }
        }

        Sample();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private void Sample()
    {
        var sample = (Environment.TickCount64, _count());
        lock (_samples)
        {
            _samples.Add(sample);
        }
    }
}
