using Microsoft.Extensions.Logging;

namespace Shared.Transport;

/// <summary>Creates the sender for <see cref="SyslogSenderOptions.Protocol"/>.</summary>
public static class SyslogSender
{
    /// <exception cref="ArgumentException">The options are invalid; the message lists each key and value.</exception>
    public static ISyslogSender Create(SyslogSenderOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        SyslogSenderOptionsValidator.ThrowIfInvalid(options);
        return options.Protocol switch
        {
            SyslogTransportProtocol.Udp => new UdpSyslogSender(options, logger, timeProvider),
            SyslogTransportProtocol.Relp => new RelpSyslogSender(options, logger, timeProvider),
            _ => new TcpSyslogSender(options, logger, timeProvider),
        };
    }
}
