namespace Collector.Relay.Queue;

public sealed partial class RelayQueue
{
    internal static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _reportLock = new();
    private long _dropped;
    private long _unreported;
    private long _lastReport = long.MinValue;
    private bool _reportScheduled;

    /// <summary>
    /// Counts a drop and reports it: the first at once, later ones summed into one Warning per interval (a timer logs
    /// the sum, so the last drops of a burst are reported too).
    /// </summary>
    private void OnDropped(long messages)
    {
        Interlocked.Add(ref _dropped, messages);
        long report = 0;
        lock (_reportLock)
        {
            _unreported += messages;
            if (_reportScheduled)
            {
                return;
            }

            long now = _time.GetTimestamp();
            var since = _lastReport == long.MinValue ? ReportInterval : _time.GetElapsedTime(_lastReport, now);
            if (since >= ReportInterval)
            {
                report = _unreported;
                _unreported = 0;
                _lastReport = now;
            }
            else
            {
                _reportScheduled = true;
                _reportTimer.Change(ReportInterval - since, Timeout.InfiniteTimeSpan);
            }
        }

        if (report > 0)
        {
            RelayQueueLog.Dropped(_logger, _options.Name, report, DroppedMessages);
        }
    }

    /// <summary>Counts drops at shutdown or removal, which their caller logs itself.</summary>
    private void CountDropped(long messages) => Interlocked.Add(ref _dropped, messages);

    private void ReportScheduled()
    {
        long report;
        lock (_reportLock)
        {
            _reportScheduled = false;
            report = _unreported;
            _unreported = 0;
            _lastReport = _time.GetTimestamp();
        }

        if (report > 0)
        {
            RelayQueueLog.Dropped(_logger, _options.Name, report, DroppedMessages);
        }
    }
}
