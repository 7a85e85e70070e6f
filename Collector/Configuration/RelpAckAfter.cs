namespace Collector.Configuration;

/// <summary>When a RELP <c>syslog</c> command is answered <c>200 OK</c>.</summary>
public enum RelpAckAfter
{
    /// <summary>
    /// Once the line is written to the messages file (in the page cache): survives a Collector crash.
    /// </summary>
    Write,

    /// <summary>Once the line is also fdatasync'd: survives a node crash or power loss.</summary>
    Fsync,
}
