namespace Shared.Relp;

/// <summary>
/// A RELP session ended or could not be opened: the peer closed it, broke the protocol, or refused the open.
/// </summary>
public sealed class RelpSessionException : Exception
{
    public RelpSessionException()
    {
    }

    public RelpSessionException(string message)
        : base(message)
    {
    }

    public RelpSessionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The server said it is closing (<c>serverclose</c>) rather than the connection just ending.</summary>
    public bool ServerClosed { get; init; }
}
