namespace Shared.Transport;

/// <summary>
/// Runs socket continuations on .NET's socket event thread instead of handing each one to the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, read once, before the first socket is used). Both programs
/// call it first thing: the continuations that then run on the event thread do not block.
/// <list type="bullet">
/// <item>The Forwarder: a RELP session's receive loop matches answers and frames the next window, a TCP send writes on.
/// Through the pool every RELP answer cost a hand-off to a worker that then spun in <c>sched_yield</c> before it slept
/// again: at window 128, 1M messages cost ~250,000 context switches and 1.5 s of CPU, inline ~36,000 and 1.1 s
/// (docs/relp-sending.md).</item>
/// <item>The Collector: Kestrel's socket transport (its receive and send loops copy between the socket and the
/// connection's pipes; our handlers and the HTTP endpoints still run on the pool, as Kestrel schedules them) and the
/// relays' senders, as in the Forwarder. With 1,000 RELP senders of one message per read it saves a fifth to a third of
/// the Collector's CPU per message (docs/relp.md).</item>
/// </list>
/// A value the user set, "0" included, is left alone.
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Call first thing in Main: the runtime reads the variable when the first socket is used.</summary>
    public static void Enable()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
