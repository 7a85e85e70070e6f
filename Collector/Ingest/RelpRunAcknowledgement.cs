using Collector.Storage;

namespace Collector.Ingest;

/// <summary>
/// The write acknowledgement of a run of <c>syslog</c> commands: once the writer has written (or given up on) the
/// run's lines, the session's <see cref="RelpResponder"/> sends what became ready, on the writer's thread.
/// </summary>
internal sealed class RelpRunAcknowledgement(RelpResponder responder, bool needsSync) : WriteAcknowledgement(needsSync)
{
    protected override void OnSettled() => responder.Send();
}
