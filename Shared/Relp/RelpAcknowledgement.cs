namespace Shared.Relp;

/// <summary>The server's answer to one <c>syslog</c> command.</summary>
/// <param name="Txnr">The command's transaction number.</param>
/// <param name="State">What the sender passed with the message (e.g. its file position).</param>
/// <param name="Response"><c>200 OK</c>, or an error such as <c>500 frame too long</c>: the server did not take the message.</param>
public readonly record struct RelpAcknowledgement(int Txnr, object? State, RelpResponse Response)
{
    public bool IsOk => Response.IsOk;
}
