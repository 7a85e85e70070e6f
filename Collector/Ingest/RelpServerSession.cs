using System.Buffers;
using System.Text;
using Collector.Storage;
using Shared.Framing;
using Shared.Relp;

namespace Collector.Ingest;

/// <summary>
/// The server side of one RELP session, as librelp's server behaves: <c>open</c> first (offers checked, answered with
/// ours), then <c>syslog</c> commands with txnrs in sequence, <c>close</c> last. Every <c>syslog</c> becomes a line in
/// the <see cref="IngestSession"/>; consecutive ones form a run answered together once the writer has written the
/// run's last chunk. What librelp aborts on (bad framing, a txnr out of sequence, a command a server does not take)
/// ends the session; a message over the size limit is answered <c>500</c> and the session goes on.
/// </summary>
internal sealed class RelpServerSession(
    IngestSession lines,
    RelpCounters counters,
    bool ackAfterSync,
    int maxDataLength,
    RelpResponder? responder = null)
{
    private readonly List<RelpReply> _replies = [];
    private int _expectedTxnr = RelpTxnr.First;
    private int _runFirst;
    private int _runCount;

    public bool IsOpen { get; private set; }

    public RelpFrameReader Reader { get; } = new(maxDataLength);

    /// <summary>Why the session ends (null while it goes on); set by <see cref="Handle"/>.</summary>
    public string? Ending { get; private set; }

    /// <summary>The session ends because the peer broke the protocol (logged as a warning and counted).</summary>
    public bool ProtocolError { get; private set; }

    /// <summary>The size of the last oversize message, for the log.</summary>
    public int LastOversize { get; private set; }

    /// <summary>Answers produced since the last call, in order; the caller hands them to the responder.</summary>
    public List<RelpReply> Replies => _replies;

    /// <summary>Handles one frame; false when the session ends (see <see cref="Ending"/>).</summary>
    public bool Handle(in RelpFrame frame, DateTimeOffset now)
    {
        if (frame.Txnr != RelpTxnr.Hint)
        {
            if (frame.Txnr != _expectedTxnr)
            {
                return Fail($"txnr {frame.Txnr} out of sequence, expected {_expectedTxnr}");
            }

            _expectedTxnr = RelpTxnr.Next(_expectedTxnr);
        }

        switch (frame.Command)
        {
            case RelpCommand.Syslog:
                return Syslog(frame, now);
            case RelpCommand.Open when !frame.IsOversize:
                return Open(frame);
            case RelpCommand.Close:
                EndRun();
                int closeTxnr = frame.Txnr;

                // librelp (cclose.c) answers close with an empty rsp.
                _replies.Add(RelpReply.Send(Encode(w => RelpFrameWriter.Write(w, closeTxnr, "rsp"u8, default)), end: true));
                Ending = "closed by peer (close)";
                return false;
            default:
                return Fail($"command '{Encoding.ASCII.GetString(frame.Name)}' on txnr {frame.Txnr} is not one a server takes");
        }
    }

    /// <summary>
    /// Ends the current run of <c>syslog</c> commands: its answers wait for its last chunk to be written.
    /// </summary>
    public void EndRun()
    {
        if (_runCount == 0)
        {
            return;
        }

        // With a responder, the writer itself sends the run's answers once it is written (RelpResponder).
        var ack = responder is null ? new WriteAcknowledgement(ackAfterSync) : new RelpRunAcknowledgement(responder, ackAfterSync);
        lines.Seal(ack);
        _replies.Add(RelpReply.Oks(_runFirst, _runCount, ack));
        _runCount = 0;
    }

    private bool Syslog(in RelpFrame frame, DateTimeOffset now)
    {
        if (frame.IsOversize)
        {
            EndRun();
            counters.OversizeRefused();
            LastOversize = frame.DataLength;
            _replies.Add(Error(frame.Txnr, $"500 message of {frame.DataLength} bytes is over the limit of {Reader.MaxDataLength} bytes"));
            return true;
        }

        if (!IsOpen)
        {
            // librelp (scsyslog.c): syslog before a successful open is answered, not fatal.
            EndRun();
            counters.OtherRefused();
            _replies.Add(Error(frame.Txnr, "500 command disabled"));
            return true;
        }

        lines.Add(frame.Data, SyslogFraming.OctetCounting, truncated: false, originalLength: -1, now);
        if (lines.LastRejected)
        {
            // --identity-mismatch reject: the sender learns why and does not send it again (librelp drops on 500).
            EndRun();
            counters.OtherRefused();
            _replies.Add(Error(frame.Txnr, "500 HOSTNAME is not the node named by the client certificate"));
            return true;
        }

        if (_runCount == 0)
        {
            _runFirst = frame.Txnr;
        }

        _runCount++;
        return true;
    }

    private bool Open(in RelpFrame frame)
    {
        if (IsOpen)
        {
            _replies.Add(Error(frame.Txnr, "500 protocol error: connection already open"));
            return Fail("open on an open session");
        }

        byte[] data = frame.Data.ToArray();
        string? refusal = null;
        if (!RelpOffers.TryParse(data, out var offers, out string? error))
        {
            refusal = error;
        }
        else if (offers.Version is null)
        {
            refusal = "no relp_version offered";
        }
        else if (!offers.OffersSyslog)
        {
            // What librelp's imrelp says when the client does not offer the syslog command it requires.
            refusal = "required command not supported by client";
        }

        if (refusal is not null)
        {
            counters.OtherRefused();
            _replies.Add(Error(frame.Txnr, "500 " + refusal));
            Ending = "open refused: " + refusal;
            return false;
        }

        // librelp (copen.c): the lower of the two versions; only the commands both sides know.
        var answer = RelpOffers.Ours with { Version = Math.Min(offers.Version!.Value, RelpOffers.ProtocolVersion) };
        int txnr = frame.Txnr;
        _replies.Add(RelpReply.Send(Encode(w => RelpFrameWriter.WriteResponse(w, txnr, 200, "OK"u8, answer.ToBytes()))));
        IsOpen = true;
        counters.SessionOpened();
        Software = string.Join(',', offers.Software);
        OfferedCommands = string.Join(',', offers.Commands);
        return true;
    }

    /// <summary>The peer's relp_software offer, for the log.</summary>
    public string Software { get; private set; } = string.Empty;

    /// <summary>The commands the peer offered (an unknown one is ignored, as librelp does).</summary>
    public string OfferedCommands { get; private set; } = string.Empty;

    private bool Fail(string reason)
    {
        EndRun();
        ProtocolError = true;
        Ending = reason;
        counters.ProtocolError();
        return false;
    }

    private static RelpReply Error(int txnr, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        int space = Array.IndexOf(bytes, (byte)' ');
        int code = int.Parse(text.AsSpan(0, 3), System.Globalization.CultureInfo.InvariantCulture);
        return RelpReply.Send(Encode(w => RelpFrameWriter.WriteResponse(w, txnr, code, bytes.AsSpan(space + 1))));
    }

    private static byte[] Encode(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
