using Forwarder.Configuration;
using Forwarder.Shipping;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Forwarder.Tests.Shipping;

/// <summary>
/// When shipping counts as stalled: lines waiting and none delivered for longer than the stall timeout (5 minutes
/// here), on a clock the test moves.
/// </summary>
public sealed class StallDetectorTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ShippingCounters _counters = new();
    private readonly CollectorLink _link;
    private readonly StallDetector _detector;

    public StallDetectorTests()
    {
        var options = new ForwarderOptions { Targets = [TargetUri.Parse("relp://collector.invalid:2514")], StallTimeout = TimeSpan.FromMinutes(5) };
        _link = new CollectorLink(options, NullLogger<CollectorLink>.Instance, _time);
        _detector = new StallDetector(_counters, _link, options, _time);
    }

    [Fact]
    public void WithNothingWaitingItIsNeverStalledHoweverLongNothingIsDelivered()
    {
        Assert.False(_detector.IsStalled(out _));
        _time.Advance(TimeSpan.FromHours(3));
        Assert.False(_detector.IsStalled(out string reason));
        Assert.Equal(string.Empty, reason);
    }

    [Fact]
    public void LinesWaitingWithNoDeliveryStallOnlyAfterTheTimeoutAndTheReasonSaysWhatAndWhere()
    {
        _counters.AddEnqueued(40);
        Assert.False(_detector.IsStalled(out _));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(_detector.IsStalled(out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_detector.IsStalled(out string reason));
        Assert.Equal(
            "not shipping: 40 lines waiting and nothing delivered for 301s (longer than the stall timeout, 300s; "
                + "now sending to relp://collector.invalid:2514; last error: none)",
            reason);
    }

    [Fact]
    public void ADeliveryEndsTheStallAndStartsTheClockAgain()
    {
        _counters.AddEnqueued(40);
        _detector.IsStalled(out _);
        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(_detector.IsStalled(out _));

        _counters.AddShipped(10, 1000);
        Assert.False(_detector.IsStalled(out _));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(_detector.IsStalled(out _));
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(_detector.IsStalled(out string reason));
        Assert.StartsWith("not shipping: 30 lines waiting and nothing delivered for 360s", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ASlowButMovingTargetIsNeverStalled()
    {
        _counters.AddEnqueued(1000);
        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(4));
            _counters.AddShipped(1, 100);
            Assert.False(_detector.IsStalled(out _), $"after {(i + 1) * 4} minutes with a line delivered every 4");
        }
    }

    [Fact]
    public void AQuietSpellBeforeLinesArriveDoesNotCountAsWaiting()
    {
        // Idle for an hour (kubelet asking all along), then lines: they have waited only since they came.
        for (int i = 0; i < 6; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(10));
            Assert.False(_detector.IsStalled(out _));
        }

        _counters.AddEnqueued(5);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(_detector.IsStalled(out _));
    }

    public ValueTask DisposeAsync() => _link.DisposeAsync();
}
