using Shared.Framing;

namespace Shared.Transport;

/// <summary>
/// Where and how a sender ships syslog messages. Check with <see cref="SyslogSenderOptionsValidator"/>.
/// </summary>
public sealed class SyslogSenderOptions
{
    /// <summary>RFC 5426 §3.2: every receiver must accept datagrams of 480 bytes (IPv4).</summary>
    public const int MinDatagramSize = 480;

    /// <summary>The largest UDP payload over IPv4: 65535 − 20 (IP header) − 8 (UDP header).</summary>
    public const int MaxDatagramSizeLimit = 65507;

    /// <summary>
    /// A DNS name or an IP address; names are resolved again on each connect, so a new Service IP is picked up.
    /// </summary>
    public string Host { get; set; } = string.Empty;

    public int Port { get; set; } = 514;

    public SyslogTransportProtocol Protocol { get; set; } = SyslogTransportProtocol.Tcp;

    /// <summary>TCP only; UDP sends one message per datagram without framing (RFC 5426 §3.1).</summary>
    public SyslogFraming Framing { get; set; } = SyslogFraming.OctetCounting;

    /// <summary>
    /// UDP only: longer messages are cut to this many bytes at a UTF-8 character boundary and counted.
    /// </summary>
    public int MaxDatagramSize { get; set; } = 2048;

    /// <summary>
    /// TCP only: the limit for connecting to each address of the host, and again for the TLS handshake.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// First delay before a reconnect; it doubles (with jitter) up to <see cref="MaxReconnectDelay"/>.
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// TCP only: retries of a failed send before it throws. The default retries until the caller cancels; a
    /// caller with several peers sets a small number and fails over to the next one itself.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = int.MaxValue;

    /// <summary>SO_SNDBUF in bytes; null keeps the operating system's default (and its autotuning).</summary>
    public int? SendBufferSize { get; set; }

    /// <summary>
    /// RELP only: messages sent and not yet answered, at most (librelp's window; its default is 128).
    /// </summary>
    public int RelpWindowSize { get; set; } = Relp.RelpClientOptions.DefaultWindowSize;

    /// <summary>
    /// RELP only: the window instead of <see cref="RelpWindowSize"/> when the receiver names itself kube-syslog in
    /// <c>relp_software</c>. Our Collector drops re-sends by their origin, so there a larger window costs no stored
    /// duplicates after a broken session (what librelp's small default guards against); null: the same window for
    /// every receiver.
    /// </summary>
    public int? RelpKubeSyslogWindowSize { get; set; }

    /// <summary>
    /// RELP only: a session whose receiver answers nothing for this long while messages wait for answers is given up
    /// (and its unanswered messages sent again on a new one), as omrelp's <c>timeout</c> (90 s) does.
    /// </summary>
    public TimeSpan RelpAckTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>TCP only: TLS over the connection (RFC 5425); null sends plain TCP.</summary>
    public SyslogTlsOptions? Tls { get; set; }
}
