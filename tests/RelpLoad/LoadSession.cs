using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Shared.Relp;

namespace RelpLoad;

/// <summary>
/// One RELP sender on a bare socket, as cheap per message as the generator can make it, so that the Collector and
/// not the generator is measured: the <see cref="LoadPacer"/> thread sends each message as one pre-encoded frame (one
/// non-blocking <c>send</c>), and the <see cref="AnswerPoller"/> thread reads the answers when epoll says they are
/// there (no task, timer or allocation per message). Answers must come in order, one per
/// message; what was acknowledged is then always the prefix 0..<see cref="Acknowledged"/>-1. After the last answer
/// the session sends <c>close</c> and expects its empty <c>rsp</c>, <c>serverclose</c> and the end of the stream.
/// </summary>
internal sealed class LoadSession(
    int id,
    LoadSettings settings,
    LatencyHistogram ackLatency,
    LatencyHistogram ackArrival,
    LatencyHistogram sendLag)
    : IDisposable
{
    // The open command is txnr 1; message seq is txnr seq + 2, and close comes after the last message.
    private const int FirstMessageTxnr = 2;

    private readonly FrameTemplate _frame = new(id, settings.Size);

    // Send timestamps by sequence number modulo twice the window: seq + window is sent only after seq was answered.
    private readonly long[] _sentAt = new long[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)settings.Window * 2)];
    private readonly byte[] _received = new byte[8192];
    private readonly RelpFrameReader _reader = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private int _filled;
    private int _sent;
    private int _answered;
    private int _acknowledged;
    private int _refused;
    private bool _closeSent;
    private bool _closeAnswered;

    // How long the answers of the current read sat in the socket before this thread read them (SO_TIMESTAMPNS).
    private long _readDelayTicks;

    public int Id => id;

    public int Sent => Volatile.Read(ref _sent);

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    public int Refused => Volatile.Read(ref _refused);

    /// <summary>
    /// Messages due by the schedule (set by the pacer); those beyond <see cref="Sent"/> wait for the window.
    /// </summary>
    public int Due { get; set; }

    /// <summary>On the pacer's list of sessions whose window was full.</summary>
    public bool Waiting { get; set; }

    public string? Failure { get; private set; }

    /// <summary>
    /// Completes when the session ended: after <c>serverclose</c> and the end of the stream, or failed.
    /// </summary>
    public Task Completion => _done.Task;

    /// <summary>The socket's descriptor, for the <see cref="AnswerPoller"/>.</summary>
    public int Descriptor { get; private set; }

    /// <summary>
    /// Connects and opens the session with blocking calls (the runtime's socket engine never sees this socket), then
    /// makes the socket non-blocking for the poller.
    /// </summary>
    public void Connect(IPEndPoint relp)
    {
        var socket = new Socket(relp.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(relp);
        var open = new ArrayBufferWriter<byte>();
        RelpFrameWriter.Write(open, 1, "open"u8, RelpOffers.Ours.ToBytes());
        socket.Send(open.WrittenSpan);

        // The answer to open: 200 with the Collector's offers, which must include syslog.
        var buffer = new ReadOnlySequence<byte>(_received, 0, 0);
        while (true)
        {
            int read = socket.Receive(_received.AsSpan(_filled));
            if (read == 0)
            {
                throw new IOException($"session {id}: the Collector closed the connection before answering open");
            }

            _filled += read;
            buffer = new ReadOnlySequence<byte>(_received, 0, _filled);
            if (_reader.TryReadFrame(ref buffer, out var frame, out var error) == OperationStatus.Done)
            {
                if (frame.Txnr != 1 || frame.Command != RelpCommand.Rsp
                    || !RelpResponse.TryParse(frame.Data.ToArray(), out var response, out _) || !response.IsOk
                    || !RelpOffers.TryParse(response.Body.Span, out var theirs, out _) || !theirs.OffersSyslog)
                {
                    throw new IOException($"session {id}: open was not accepted");
                }

                break;
            }

            if (error.IsError)
            {
                throw new IOException($"session {id}: the answer to open is not RELP: {error}");
            }
        }

        if (buffer.Length > 0)
        {
            throw new IOException($"session {id}: {buffer.Length} bytes came after the answer to open, before any message");
        }

        _filled = 0;
        socket.Blocking = false;
        Descriptor = (int)socket.Handle;
        StampedReceive.Enable(Descriptor);
        _socket = socket;
    }

    /// <summary>
    /// Sends what is due and fits in the window, from the pacer's thread. False when some could not be sent yet
    /// (window full): the pacer tries again later.
    /// </summary>
    public bool SendDue()
    {
        int due = Due;
        while (_sent < due)
        {
            int seq = _sent;
            if (seq - Volatile.Read(ref _answered) >= settings.Window || _done.Task.IsCompleted)
            {
                return _done.Task.IsCompleted;
            }

            var frame = _frame.Frame(seq + FirstMessageTxnr, seq);
            long now = Stopwatch.GetTimestamp();
            sendLag.Record(Stopwatch.GetElapsedTime(DueAt(seq), now));
            _sentAt[seq & (_sentAt.Length - 1)] = now;
            Volatile.Write(ref _sent, seq + 1);
            if (!Send(frame))
            {
                return true;
            }
        }

        return true;
    }

    /// <summary>
    /// The schedule: from the common start, every 1/rate s, each session offset by its share of one interval.
    /// </summary>
    public long DueAt(int seq) => Start + (Interval * id / settings.Sessions) + (seq * Interval);

    public long Start { get; set; }

    private long Interval => Stopwatch.Frequency / settings.Rate;

    public void Abort(string reason)
    {
        if (!_done.Task.IsCompleted)
        {
            Fail(reason);
        }

        _socket?.Dispose();
    }

    public void Dispose() => _socket?.Dispose();

    /// <summary>
    /// Reads what the socket has (the poller saw it readable) and handles the whole answers; false when the session is
    /// over (then <see cref="Closed"/>).
    /// </summary>
    public bool ReceiveReady()
    {
        if (_done.Task.IsCompleted)
        {
            return false;
        }

        int read;
        long arrived;
        try
        {
            read = StampedReceive.Receive(Descriptor, _received.AsSpan(_filled), out arrived);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return Fail($"receive failed: {e.Message}");
        }

        if (read < 0)
        {
            return true;
        }

        _readDelayTicks = arrived == 0 ? 0 : Math.Max(0, TimeProvider.System.GetUtcNow().UtcTicks - arrived);

        if (read == 0)
        {
            if (_closeAnswered && _filled == 0)
            {
                _done.TrySetResult();
                return false;
            }

            return Fail(_closeSent ? "the connection ended before the answer to close" : "the Collector closed the connection");
        }

        _filled += read;
        return Process() && (_filled < _received.Length || Fail("an answer longer than the receive buffer"));
    }

    /// <summary>The poller is done with this session: the socket can go.</summary>
    public void Closed() => _socket?.Dispose();

    private bool Send(ReadOnlySpan<byte> frame)
    {
        while (!frame.IsEmpty)
        {
            int sent = _socket!.Send(frame, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                // The socket buffer is full (the Collector is not reading): wait until it takes more, up to a minute.
                if (!_socket.Poll(TimeSpan.FromMinutes(1), SelectMode.SelectWrite))
                {
                    return Fail("could not send for a minute (the socket buffer stayed full)");
                }

                continue;
            }

            if (error != SocketError.Success)
            {
                return Fail($"send failed: {error}");
            }

            frame = frame[sent..];
        }

        return true;
    }

    /// <summary>Handles the whole frames received; keeps a partial one at the front of the buffer.</summary>
    private bool Process()
    {
        var buffer = new ReadOnlySequence<byte>(_received, 0, _filled);
        OperationStatus status;
        while ((status = _reader.TryReadFrame(ref buffer, out var frame, out var error)) == OperationStatus.Done)
        {
            if (!Handle(frame))
            {
                return false;
            }
        }

        if (status == OperationStatus.InvalidData)
        {
            Fail("the answers lost their framing");
            return false;
        }

        int left = (int)buffer.Length;
        _received.AsSpan(_filled - left, left).CopyTo(_received);
        _filled = left;
        return true;
    }

    private bool Handle(in RelpFrame frame)
    {
        long now = Stopwatch.GetTimestamp();
        int total = settings.MessagesPerSession;
        if (frame.Command == RelpCommand.ServerClose)
        {
            if (!_closeAnswered)
            {
                Fail($"serverclose after {_answered} answers, before close was answered");
                return false;
            }

            return true;
        }

        int seq = _answered;
        int expected = _closeSent ? total + FirstMessageTxnr : seq + FirstMessageTxnr;
        if (frame.Command != RelpCommand.Rsp || frame.Txnr != expected)
        {
            Fail($"expected the answer to txnr {expected}, got {frame.Command} txnr {frame.Txnr}");
            return false;
        }

        if (_closeSent)
        {
            // librelp answers close with an empty rsp (cclose.c).
            if (frame.DataLength != 0)
            {
                return Fail($"close answered with {frame.DataLength} bytes of data");
            }

            _closeAnswered = true;
            return true;
        }

        if (seq >= Volatile.Read(ref _sent))
        {
            Fail($"an answer to txnr {frame.Txnr}, not sent yet");
            return false;
        }

        if (frame.Data.IsSingleSegment && frame.Data.FirstSpan.SequenceEqual(RelpFrameWriter.Ok))
        {
            var latency = Stopwatch.GetElapsedTime(_sentAt[seq & (_sentAt.Length - 1)], now);
            ackLatency.Record(latency);
            ackArrival.Record(latency - TimeSpan.FromTicks(_readDelayTicks));
            Volatile.Write(ref _acknowledged, _acknowledged + 1);
        }
        else
        {
            Interlocked.Increment(ref _refused);
        }

        Volatile.Write(ref _answered, seq + 1);
        if (seq + 1 == total)
        {
            // Every message sent was answered: end the session as a sender does.
            _closeSent = true;
            var close = System.Text.Encoding.ASCII.GetBytes($"{total + FirstMessageTxnr} close 0\n");
            return Send(close);
        }

        return true;
    }

    private bool Fail(string reason)
    {
        Failure ??= $"session {id}: {reason}";
        _done.TrySetResult();
        return false;
    }
}
