namespace Forwarder.Discovery;

/// <summary>
/// Remembers which problems (keyed by path) the previous scan saw, so each is logged once while it lasts instead of at
/// every scan, and again if it comes back after a scan without it. Memory stays bounded by what one scan sees.
/// </summary>
internal sealed class ProblemMemory
{
    private HashSet<string> _previous = new(StringComparer.Ordinal);
    private HashSet<string> _current = new(StringComparer.Ordinal);

    /// <summary>Records the problem for this scan; true when the previous scan did not have it (log it now).</summary>
    public bool IsNew(string key)
    {
        _current.Add(key);
        return !_previous.Contains(key);
    }

    /// <summary>
    /// True, once, when the previous scan had this problem and this one does not (log the recovery now).
    /// </summary>
    public bool IsResolved(string key) => !_current.Contains(key) && _previous.Remove(key);

    public void EndScan()
    {
        (_previous, _current) = (_current, _previous);
        _current.Clear();
    }
}
