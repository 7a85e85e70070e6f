namespace Shared.Transport;

/// <summary>
/// Lets one log line through per interval and counts the events in between, so a peer that refuses every
/// datagram costs one Warning per interval instead of one per message. Not thread-safe: one per sender.
/// </summary>
internal sealed class LogRateLimiter(TimeProvider timeProvider, TimeSpan interval)
{
    private long _lastLogged;
    private bool _hasLogged;
    private long _events;

    /// <summary>
    /// Records an event; true when it should be logged, with the events since the last log line included.
    /// </summary>
    public bool TryAcquire(out long events)
    {
        _events++;
        if (_hasLogged && timeProvider.GetElapsedTime(_lastLogged) < interval)
        {
            events = 0;
            return false;
        }

        events = _events;
        _events = 0;
        _hasLogged = true;
        _lastLogged = timeProvider.GetTimestamp();
        return true;
    }
}
