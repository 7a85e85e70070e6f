namespace Shared.Relp;

/// <summary>
/// The commands librelp knows (its <c>relpEngineDispatchFrame</c>); anything else is <see cref="Other"/>.
/// </summary>
public enum RelpCommand : byte
{
    /// <summary>A well-formed command name librelp does not dispatch (it closes the session on those).</summary>
    Other = 0,
    Open,
    Syslog,
    Rsp,
    Close,

    /// <summary>The server's hint, on txnr 0, that it is closing the session; never answered.</summary>
    ServerClose,
    StartTls,
}
