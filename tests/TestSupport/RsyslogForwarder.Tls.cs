using System.Net;

namespace TestSupport;

/// <summary><c>omfwd</c> over TLS with one of rsyslog's network stream drivers.</summary>
public sealed partial class RsyslogForwarder
{
    /// <summary>
    /// Starts rsyslogd forwarding to <paramref name="target"/> with <c>omfwd</c> over TLS: the stream driver
    /// <paramref name="driver"/> (<c>gtls</c> from rsyslog-gnutls, <c>ossl</c> from rsyslog-openssl) in
    /// <paramref name="authMode"/> (<c>anon</c>, <c>x509/certvalid</c>, <c>x509/name</c>; the x509 modes check the
    /// server's certificate against <paramref name="caFile"/>, <c>x509/name</c> also its name against
    /// <paramref name="permittedPeer"/>), sending <paramref name="client"/> as its certificate when given.
    /// </summary>
    public static Task<RsyslogForwarder> StartTlsAsync(
        TempDirectory directory,
        IPEndPoint target,
        string driver,
        string authMode,
        string caFile,
        OpensslPki.Pair? client,
        string permittedPeer,
        string? tcpFraming = null)
    {
        string framing = tcpFraming is null ? string.Empty : $" TCP_Framing=\"{tcpFraming}\"";
        string files = $" StreamDriver.CAFile=\"{caFile}\"" + (client is null
            ? string.Empty
            : $" StreamDriver.CertFile=\"{client.Certificate}\" StreamDriver.KeyFile=\"{client.Key}\"");
        string peers = authMode == "x509/name" ? $" StreamDriverPermittedPeers=\"{permittedPeer}\"" : string.Empty;
        return StartWithActionAsync(directory, $"""
            action(type="omfwd" target="{target.Address}" port="{target.Port}" protocol="tcp"{framing}
                   StreamDriver="{driver}" StreamDriverMode="1" StreamDriverAuthMode="{authMode}"{peers}{files}
                   template="{SyslogProtocol23Format}" action.resumeRetryCount="-1" action.resumeInterval="1"
                   queue.type="LinkedList" queue.size="10000" queue.workerThreads="1" queue.timeoutEnqueue="10000")
            """);
    }
}
