using System.Globalization;

namespace Shared.Transport;

/// <summary>
/// Checks <see cref="SyslogSenderOptions"/> before anything connects. Each message names the key and the value
/// (<c>Port must be 1-65535, was 70000</c>); a prefix such as <c>Forwarder:Target:</c> gives the full configuration
/// key.
/// </summary>
public static partial class SyslogSenderOptionsValidator
{
    /// <summary>Polly's retry options accept delays up to one day.</summary>
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    /// <summary>
    /// Far above librelp's default of 128; a larger window only holds more unanswered messages in memory.
    /// </summary>
    private const int MaxRelpWindowSize = 65536;

    public static IReadOnlyList<string> Validate(SyslogSenderOptions options, string keyPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Fail(string message) => errors.Add(keyPrefix + message);

        if (string.IsNullOrWhiteSpace(options.Host) || Uri.CheckHostName(options.Host) == UriHostNameType.Unknown)
        {
            Fail($"Host must be a DNS name or an IP address, was '{options.Host}'");
        }

        if (options.Port is < 1 or > 65535)
        {
            Fail(Invariant($"Port must be 1-65535, was {options.Port}"));
        }

        if (!Enum.IsDefined(options.Protocol))
        {
            Fail(Invariant($"Protocol must be Tcp, Udp or Relp, was {(int)options.Protocol}"));
        }

        if (!Enum.IsDefined(options.Framing))
        {
            Fail(Invariant($"Framing must be OctetCounting or LineFeed, was {(int)options.Framing}"));
        }

        if (options.MaxDatagramSize is < SyslogSenderOptions.MinDatagramSize or > SyslogSenderOptions.MaxDatagramSizeLimit)
        {
            const int Min = SyslogSenderOptions.MinDatagramSize;
            const int Max = SyslogSenderOptions.MaxDatagramSizeLimit;
            Fail(Invariant($"MaxDatagramSize must be {Min}-{Max}, was {options.MaxDatagramSize}"));
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            Fail(Invariant($"ConnectTimeout must be greater than {TimeSpan.Zero}, was {options.ConnectTimeout}"));
        }

        if (options.ReconnectDelay <= TimeSpan.Zero || options.ReconnectDelay > MaxDelay)
        {
            Fail(Invariant($"ReconnectDelay must be greater than {TimeSpan.Zero} and at most {MaxDelay}, was {options.ReconnectDelay}"));
        }
        else if (options.MaxReconnectDelay < options.ReconnectDelay || options.MaxReconnectDelay > MaxDelay)
        {
            var (min, max) = (options.ReconnectDelay, options.MaxReconnectDelay);
            Fail(Invariant(
                $"MaxReconnectDelay must be at least ReconnectDelay ({min}) and at most {MaxDelay}, was {max}"));
        }

        if (options.MaxRetryAttempts < 0)
        {
            Fail(Invariant($"MaxRetryAttempts must be 0 or more, was {options.MaxRetryAttempts}"));
        }

        if (options.RelpWindowSize is < 1 or > MaxRelpWindowSize)
        {
            Fail(Invariant($"RelpWindowSize must be 1-{MaxRelpWindowSize}, was {options.RelpWindowSize}"));
        }

        if (options.RelpKubeSyslogWindowSize is < 1 or > MaxRelpWindowSize)
        {
            Fail(Invariant($"RelpKubeSyslogWindowSize must be 1-{MaxRelpWindowSize}, was {options.RelpKubeSyslogWindowSize}"));
        }

        if (options.RelpAckTimeout <= TimeSpan.Zero || options.RelpAckTimeout > MaxDelay)
        {
            Fail(Invariant($"RelpAckTimeout must be greater than {TimeSpan.Zero} and at most {MaxDelay}, was {options.RelpAckTimeout}"));
        }

        if (options.SendBufferSize is <= 0)
        {
            Fail(Invariant($"SendBufferSize must be positive when set, was {options.SendBufferSize}"));
        }

        if (options.Tls is { } tls)
        {
            ValidateTls(tls, options.Protocol, Fail);
        }

        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem, one per line.</summary>
    public static void ThrowIfInvalid(SyslogSenderOptions options, string keyPrefix = "")
    {
        var errors = Validate(options, keyPrefix);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
