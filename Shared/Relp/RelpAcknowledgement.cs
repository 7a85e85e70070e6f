namespace Shared.Relp;

/// <summary>The server's answer to one <c>syslog</c> command.</summary>
/// <param name="Txnr">The command's transaction number.</param>
/// <param name="State">What the sender passed with the message (e.g. its file position).</param>
/// <param name="Response"><c>200 OK</c>, or an error such as <c>500 frame too long</c>:
/// the server did not take the message.</param>
/// <param name="Tag">The number the sender passed with the message (0 if none).</param>
public readonly record struct RelpAcknowledgement(int Txnr, object? State, RelpResponse Response, int Tag = 0)
{
    public bool IsOk => Response.IsOk;
}
