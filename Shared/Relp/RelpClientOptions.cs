namespace Shared.Relp;

/// <summary>Settings of one <see cref="RelpClientSession"/>.</summary>
public sealed record RelpClientOptions
{
    /// <summary>librelp's <c>RELP_DFLT_WINDOW_SIZE</c>.</summary>
    public const int DefaultWindowSize = 128;

    /// <summary>
    /// Commands sent and not yet answered, at most. A send waits while the window is full, so a server that never
    /// answers holds at most this many messages in the sender.
    /// </summary>
    public int WindowSize { get; init; } = DefaultWindowSize;

    /// <summary>
    /// Chooses the window from the server's answer to <c>open</c> (e.g. by its <c>relp_software</c>); null: always
    /// <see cref="WindowSize"/>, which also holds until <c>open</c> is answered.
    /// </summary>
    public Func<RelpOffers, int>? WindowFor { get; init; }

    /// <summary>
    /// Longest <c>rsp</c> data accepted from the server; a longer one ends the session (as in librelp's client).
    /// </summary>
    public int MaxResponseLength { get; init; } = RelpFrameReader.DefaultMaxDataLength;

    /// <summary>The offers sent with <c>open</c>.</summary>
    public RelpOffers Offers { get; init; } = RelpOffers.Ours;

    /// <summary>
    /// Called once per answered <c>syslog</c> command, in the order the answers arrive (servers answer in txnr order),
    /// on the session's receive loop: keep it short and do not block. An exception from it ends the session.
    /// </summary>
    public Action<RelpAcknowledgement>? Acknowledged { get; init; }
}
