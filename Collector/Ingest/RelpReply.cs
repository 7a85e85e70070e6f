using Collector.Storage;

namespace Collector.Ingest;

/// <summary>
/// One entry of a RELP session's answer queue, in command order: a run of <c>200 OK</c> for the consecutive txnrs
/// <see cref="FirstTxnr"/>… (sent once <see cref="Acknowledgement"/> completes), or a frame ready to send, or the end.
/// </summary>
internal readonly record struct RelpReply(int FirstTxnr, int Count, WriteAcknowledgement? Acknowledgement, byte[]? Frame, bool End = false)
{
    public static RelpReply Oks(int firstTxnr, int count, WriteAcknowledgement acknowledgement) => new(firstTxnr, count, acknowledgement, null);

    public static RelpReply Send(byte[] frame, bool end = false) => new(0, 0, null, frame, end);

    /// <summary>Sends <c>serverclose</c> after everything before it, then the connection is closed.</summary>
    public static RelpReply Close() => new(0, 0, null, null, End: true);
}
