using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Forwarder.Tests;

/// <summary>
/// When the Forwarder gives memory back: once after a burst of allocation, at the first check that finds it idle, never
/// while it keeps allocating, and not more often than <see cref="MemoryTrimmer.MinimumGap"/>. The allocation counter
/// and the collection are the test's, so each decision can be checked; the collection's effect on a real process is
/// measured by EndToEnd.Tests.ForwarderChurnTests and tests/Soak.
/// </summary>
public sealed class MemoryTrimmerTests
{
    private const long Mb = 1024 * 1024;

    // Generous: the checks run on the thread pool, which a loaded machine running other tests in parallel may starve.
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _clock = new();
    private long _allocated = 100 * Mb;
    private int _collections;

    [Fact]
    public void AfterABurstTheFirstIdleCheckCollectsOnce()
    {
        var trimmer = Create();
        Assert.Equal([false, false, true, false, false], Checks(trimmer, 20 * Mb, 20 * Mb, Mb, 0, Mb));
        Assert.Equal(1, _collections);
        Assert.Equal(1, trimmer.Trims);
    }

    [Fact]
    public void WhileTheForwarderKeepsAllocatingNothingIsCollected()
    {
        var trimmer = Create();
        var steps = Enumerable.Repeat(MemoryTrimmer.QuietBytes, 200).ToArray();
        Assert.DoesNotContain(true, Checks(trimmer, steps));
        Assert.Equal(0, _collections);
    }

    [Fact]
    public void AnIdleForwarderThatHadNoBurstIsNotCollected()
    {
        var trimmer = Create();
        Assert.DoesNotContain(true, Checks(trimmer, 0, Mb, 0, MemoryTrimmer.QuietBytes - 1, 0, 0));
        Assert.Equal(0, _collections);
    }

    [Fact]
    public void ASecondBurstWithinTheGapWaitsForTheGapToPass()
    {
        var trimmer = Create();
        Assert.Equal([false, true], Checks(trimmer, 40 * Mb, 0));
        var trimmedAt = _clock.GetUtcNow();

        // Another burst right away: idle again after it, but the last collection is too recent.
        Assert.Equal([false, false], Checks(trimmer, 40 * Mb, 0));
        while (_clock.GetUtcNow() - trimmedAt < MemoryTrimmer.MinimumGap - MemoryTrimmer.CheckInterval)
        {
            Assert.False(Check(trimmer, 0));
        }

        Assert.True(Check(trimmer, 0));
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void ASlowTrickleIsCollectedOnceItAddsUpToABurst()
    {
        var trimmer = Create();
        long step = Mb;
        int checks = 0;
        while (!Check(trimmer, step))
        {
            checks++;
            Assert.True(checks * step < MemoryTrimmer.BurstBytes, $"no collection after {checks} checks of {step} bytes");
        }

        Assert.Equal(MemoryTrimmer.BurstBytes / step, checks + 1);
    }

    [Fact]
    public async Task ItChecksOnItsClockWhileRunning()
    {
        var clock = new TimerCountingTimeProvider();
        long allocated = 0;
        int reads = 0, collections = 0;
        using var trimmer = new MemoryTrimmer(
            clock,
            NullLogger.Instance,
            () =>
            {
                Interlocked.Increment(ref reads);
                return Interlocked.Read(ref allocated);
            },
            () => collections++);
        await trimmer.StartAsync(CancellationToken.None);
        try
        {
            Interlocked.Add(ref allocated, 64 * Mb);
            await Wait.UntilAsync(() => clock.ScheduledTimers > 0, "the trimmer's timer", WaitLimit);
            clock.Advance(MemoryTrimmer.CheckInterval);

            // The construction read the counter once, the first check once more: it saw the burst, still going.
            await Wait.UntilAsync(() => Volatile.Read(ref reads) == 2, "the first check", WaitLimit);
            Assert.Equal(0, trimmer.Trims);
            clock.Advance(MemoryTrimmer.CheckInterval);
            await Wait.UntilAsync(() => trimmer.Trims == 1, "a collection at the first idle check", WaitLimit);
            Assert.Equal(1, collections);
        }
        finally
        {
            await trimmer.StopAsync(CancellationToken.None);
        }
    }

    private MemoryTrimmer Create() => new(_clock, NullLogger.Instance, () => _allocated, () => _collections++);

    private bool[] Checks(MemoryTrimmer trimmer, params long[] allocatedPerInterval) =>
        allocatedPerInterval.Select(bytes => Check(trimmer, bytes)).ToArray();

    private bool Check(MemoryTrimmer trimmer, long allocatedThisInterval)
    {
        _allocated += allocatedThisInterval;
        _clock.Advance(MemoryTrimmer.CheckInterval);
        return trimmer.Check();
    }
}
