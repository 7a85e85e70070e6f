using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Forwarder.Tests;

/// <summary>
/// When the Forwarder gives memory back: once after a burst of allocation, at the first check that finds it idle (no
/// file byte read, or little allocated), never while it reads or keeps allocating without a read counter, not more
/// often than <see cref="MemoryTrimmer.MinimumGap"/>, and for committed memory far beyond the heap at most once per
/// <see cref="MemoryTrimmer.SlackGap"/>; after files were let go (pods deleted) even with little allocated; the free
/// batches are let go just before and malloc's arenas trimmed just after. The allocation counter
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
    public void WithManyFilesTailedTheFirstCheckWithoutReadsCollectsOnceAndNoMoreWhileNothingIsRead()
    {
        // Rescans and checkpoints of hundreds of quiet files allocate more than a gen0 budget per interval: by
        // allocation alone this Forwarder was never idle (issue 19, pods restarting).
        long rescans = MemoryTrimmer.QuietBytes + Mb;
        var trimmer = CreateReading();
        Assert.Equal([false, false, true], ChecksReading(trimmer, (20 * Mb, 5000), (20 * Mb, 3000), (rescans, 0)));
        var afterBurst = ChecksReading(trimmer, [.. Enumerable.Repeat((rescans, 0L), 200)]);
        Assert.DoesNotContain(true, afterBurst);
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void WhileLinesAreReadNothingIsCollectedHoweverMuchIsAllocated()
    {
        var trimmer = CreateReading();
        var steps = Enumerable.Repeat((40 * Mb, 1000L), 100).ToArray();
        Assert.DoesNotContain(true, ChecksReading(trimmer, steps));
        Assert.Equal(0, _collections);
    }

    [Fact]
    public void ASlowTrickleOfLinesIsStillCollectedOnceItAddsUpToABurst()
    {
        var trimmer = CreateReading();
        int checks = 0;
        while (!CheckReading(trimmer, Mb, 100))
        {
            checks++;
            Assert.True(checks * Mb < MemoryTrimmer.BurstBytes, $"no collection after {checks} checks");
        }

        Assert.Equal(1, _collections);
    }

    [Fact]
    public void TheFreeBatchesAreLetGoJustBeforeEachCollection()
    {
        var order = new List<string>();
        var trimmer = new MemoryTrimmer(
            _clock,
            NullLogger.Instance,
            () => _allocated,
            () => order.Add("collect"),
            bytesRead: () => _read,
            release: () =>
            {
                order.Add("release");
                return 10 * Mb;
            });
        Assert.Equal([false, true], ChecksReading(trimmer, (40 * Mb, 100), (0, 0)));
        Assert.Equal(["release", "collect"], order);
    }

    [Fact]
    public void MuchCommittedBeyondTheHeapIsGivenBackWhenIdleAtMostOncePerSlackGap()
    {
        long slack = MemoryTrimmer.SlackBytes;
        var trimmer = new MemoryTrimmer(_clock, NullLogger.Instance, () => _allocated, () => _collections++, () => _read, () => slack);

        // No burst: only the slack speaks for a trim. Not while busy (reading and allocating), though.
        Assert.False(CheckReading(trimmer, MemoryTrimmer.QuietBytes + Mb, 10));
        Assert.True(CheckReading(trimmer, 0, 0));
        var trimmedAt = _clock.GetUtcNow();
        while (_clock.GetUtcNow() - trimmedAt < MemoryTrimmer.SlackGap - MemoryTrimmer.CheckInterval)
        {
            Assert.False(CheckReading(trimmer, 0, 0));
        }

        Assert.True(CheckReading(trimmer, 0, 0));
        slack = MemoryTrimmer.SlackBytes - 1;
        _clock.Advance(MemoryTrimmer.SlackGap);
        Assert.False(CheckReading(trimmer, 0, 0));
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void WhenPodsAreDeletedTheFirstIdleCheckCollectsThoughLittleWasAllocated()
    {
        // The last deletion of restarting pods: hundreds of tailers let go, nothing read, a few MB allocated, less
        // than a burst by allocation. Busy while it closes them (more than a gen0 budget in that interval), idle at the
        // next.
        var trimmer = CreateClosing();
        long closing = MemoryTrimmer.QuietBytes + Mb;
        Assert.True(closing < MemoryTrimmer.BurstBytes);
        Assert.Equal([false, true], ChecksClosing(trimmer, (closing, MemoryTrimmer.ClosedFilesBurst), (0, 0)));
        Assert.Equal(1, _collections);

        // Nothing closed since: no second collection, however long it stays idle.
        Assert.DoesNotContain(true, ChecksClosing(trimmer, [.. Enumerable.Repeat((Mb, 0L), 100)]));
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void AFewFilesClosedAreNotABurst()
    {
        var trimmer = CreateClosing();
        var steps = ChecksClosing(trimmer, (Mb, MemoryTrimmer.ClosedFilesBurst - 1), (0, 0), (0, 0));
        Assert.DoesNotContain(true, steps);

        // One more, later, with little allocated (idle by the trickle rule): together they are.
        Assert.True(CheckClosing(trimmer, 0, 1));
    }

    [Fact]
    public void MallocsArenasAreTrimmedAfterEachCollection()
    {
        var order = new List<string>();
        var trimmer = new MemoryTrimmer(
            _clock,
            NullLogger.Instance,
            () => _allocated,
            () => order.Add("collect"),
            bytesRead: () => _read,
            release: () =>
            {
                order.Add("release");
                return 0;
            },
            nativeTrim: () =>
            {
                order.Add("malloc_trim");
                return true;
            });
        Assert.Equal([false, true, false], ChecksReading(trimmer, (40 * Mb, 100), (0, 0), (0, 0)));
        Assert.Equal(["release", "collect", "malloc_trim"], order);
        _clock.Advance(MemoryTrimmer.SlackGap);
        Assert.Equal([false, true], ChecksReading(trimmer, (40 * Mb, 100), (0, 0)));
        Assert.Equal(["release", "collect", "malloc_trim", "release", "collect", "malloc_trim"], order);
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

    private long _read;

    private MemoryTrimmer CreateReading() => new(_clock, NullLogger.Instance, () => _allocated, () => _collections++, () => _read);

    private bool[] ChecksReading(MemoryTrimmer trimmer, params (long Allocated, long Read)[] perInterval) =>
        perInterval.Select(step => CheckReading(trimmer, step.Allocated, step.Read)).ToArray();

    private bool CheckReading(MemoryTrimmer trimmer, long allocatedThisInterval, long readThisInterval)
    {
        _read += readThisInterval;
        return Check(trimmer, allocatedThisInterval);
    }

    private long _closed;

    private MemoryTrimmer CreateClosing() =>
        new(_clock, NullLogger.Instance, () => _allocated, () => _collections++, () => _read + _closed, filesClosed: () => _closed);

    private bool[] ChecksClosing(MemoryTrimmer trimmer, params (long Allocated, long Closed)[] perInterval) =>
        perInterval.Select(step => CheckClosing(trimmer, step.Allocated, step.Closed)).ToArray();

    // Closing files is activity, as in the Forwarder: the check that sees them closed is not idle.
    private bool CheckClosing(MemoryTrimmer trimmer, long allocatedThisInterval, long closedThisInterval)
    {
        _closed += closedThisInterval;
        return Check(trimmer, allocatedThisInterval);
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
