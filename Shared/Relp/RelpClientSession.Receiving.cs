using System.Buffers;
using System.Text;

namespace Shared.Relp;

/// <summary>
/// The receive loop: answers are matched to their commands; <c>serverclose</c> or end of stream ends the session.
/// </summary>
public sealed partial class RelpClientSession
{
    private async Task ReceiveAsync()
    {
        var reader = new RelpFrameReader(_options.MaxResponseLength);
        try
        {
            while (!_ended.IsCancellationRequested)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                OperationStatus status;
                RelpFramingError error;
                RelpSessionException? ending = null;
                try
                {
                    while ((status = reader.TryReadFrame(ref buffer, out var frame, out error)) == OperationStatus.Done)
                    {
                        ending = Handle(frame);
                        if (ending is not null || _completion.Task.IsCompleted)
                        {
                            break;
                        }
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                WakeWaiter();

                if (ending is not null || _completion.Task.IsCompleted)
                {
                    End(ending);
                    return;
                }

                if (status == OperationStatus.InvalidData)
                {
                    End(new RelpSessionException($"The server's stream is not RELP: {error}"));
                    return;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    End(_closing ? null : new RelpSessionException("The server closed the connection."));
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            End(_closing ? null : new RelpSessionException("Receiving failed: " + ex.Message, ex));
        }
    }

    /// <summary>Handles one frame from the server; returns why the session ends, or null to go on.</summary>
    private RelpSessionException? Handle(in RelpFrame frame)
    {
        switch (frame.Command)
        {
            case RelpCommand.Rsp when frame.IsOversize:
                return new RelpSessionException(
                    $"The server's answer to txnr {frame.Txnr} is {frame.DataLength} bytes, " +
                    $"over the limit of {_options.MaxResponseLength}.");
            case RelpCommand.Rsp:
                return Answered(frame.Txnr, frame.Data);
            case RelpCommand.ServerClose when frame.Txnr == RelpTxnr.Hint:
                return _closing ? null : new RelpSessionException("The server closed the session (serverclose).") { ServerClosed = true };
            default:
                return new RelpSessionException(
                    $"The server sent '{Encoding.ASCII.GetString(frame.Name)}' on txnr {frame.Txnr}; " +
                    "a server only sends rsp and serverclose.");
        }
    }

    private RelpSessionException? Answered(int txnr, in ReadOnlySequence<byte> data)
    {
        byte[]? copy = data.IsSingleSegment ? null : data.ToArray();
        var span = copy ?? data.FirstSpan;
        if (txnr == _closeTxnr)
        {
            // librelp answers close with an empty rsp ("3 rsp 0"); others send "200 OK". What follows (librelp's
            // serverclose hint, the end of the stream) is the expected end now.
            _closing = true;
            _closeAnswer.TrySetResult(new RelpResponse(200, string.Empty, default));
            return null;
        }

        if (!RelpResponse.TryParse(span, out var response, out string? error))
        {
            return new RelpSessionException($"The server's answer to txnr {txnr} cannot be read: {error}");
        }

        if (txnr == _openTxnr && !_openAnswer.Task.IsCompleted)
        {
            _openAnswer.TrySetResult(response);
            return null;
        }

        RelpPendingMessage answered;
        bool found;
        lock (_unackedLock)
        {
            found = _unacked.TryRemove(txnr, out answered);
        }

        if (!found)
        {
            return new RelpSessionException($"The server answered txnr {txnr}, which is not waiting for an answer.");
        }

        _options.Acknowledged?.Invoke(new RelpAcknowledgement(txnr, answered.State, response, answered.Tag));
        return null;
    }
}
