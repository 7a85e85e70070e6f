namespace Forwarder.Shipping;

/// <summary>
/// Runs socket continuations on .NET's socket event thread instead of handing each one to the thread pool
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, read once, before the first socket is used). The Forwarder
/// has a handful of sockets and its continuations do not block: a RELP session's receive loop matches answers and
/// frames the next window, a TCP send writes on. Through the pool every RELP answer cost a hand-off to a worker that
/// then spun in <c>sched_yield</c> before it slept again: at window 128, 1M messages cost ~250,000 context switches
/// and 1.5 s of the Forwarder's CPU, inline ~36,000 and 1.1 s (docs/relp-sending.md). Kestrel (the metrics endpoint)
/// schedules its own work either way. A value the user set, "0" included, is left alone.
/// </summary>
internal static class InlineSocketCompletions
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
