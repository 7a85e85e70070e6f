namespace Collector.Relay;

/// <summary>Where a relay is in its life, as the status API shows it.</summary>
public enum RelayState
{
    /// <summary>Takes messages and sends them.</summary>
    Running,

    /// <summary>Removed from the configuration: takes nothing new, sends what it holds, then stops.</summary>
    Draining,

    /// <summary>Done; its queue was delivered, persisted, or counted as dropped.</summary>
    Stopped,
}
