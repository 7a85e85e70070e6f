namespace Shared.Transport;

/// <summary>How a sender reaches its syslog peer.</summary>
public enum SyslogTransportProtocol : byte
{
    /// <summary>
    /// RFC 6587: a byte stream with framed messages; reconnects and resends, so at least once while connected.
    /// </summary>
    Tcp = 0,

    /// <summary>RFC 5426: one message per datagram; the network may drop any of them and nobody notices.</summary>
    Udp = 1,

    /// <summary>
    /// RELP (librelp's protocol): each message is answered by the receiver; a send completes once every message of it
    /// was answered, and what was not answered when a session broke is sent again on the next one.
    /// </summary>
    Relp = 2,
}
