namespace Collector.Relay.Configuration;

/// <summary>What a relay sends: the syslog message format on its wire.</summary>
public enum RelayFormat
{
    /// <summary>
    /// RFC 5424 with the original header and structured data (the frame as received when it was RFC 5424).
    /// </summary>
    Rfc5424,

    /// <summary>
    /// RFC 3164 (<c>&lt;PRI&gt;Mmm dd hh:mm:ss HOST TAG: MSG</c>) with the whole tag: <c>namespace/pod/container</c> or
    /// APP-NAME, never cut to 32.
    /// </summary>
    Rfc3164,
}
