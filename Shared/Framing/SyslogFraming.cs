namespace Shared.Framing;

/// <summary>How syslog messages are delimited on a TCP stream (RFC 6587 §3.4).</summary>
public enum SyslogFraming : byte
{
    /// <summary>RFC 6587 §3.4.1 octet counting: <c>MSG-LEN SP SYSLOG-MSG</c>. Carries any byte, including LF.</summary>
    OctetCounting = 0,

    /// <summary>RFC 6587 §3.4.2 non-transparent framing: each message ends with LF.</summary>
    LineFeed = 1,
}
