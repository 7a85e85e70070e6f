namespace Shared.Syslog;

/// <summary>The wire format a message was parsed from.</summary>
public enum SyslogFormat : byte
{
    /// <summary>RFC 5424 (<c>&lt;PRI&gt;VERSION SP TIMESTAMP …</c>).</summary>
    Rfc5424 = 0,

    /// <summary>Legacy BSD syslog, RFC 3164, parsed leniently.</summary>
    Rfc3164 = 1,
}
