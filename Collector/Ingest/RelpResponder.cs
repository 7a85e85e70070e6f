using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Shared.Relp;

namespace Collector.Ingest;

/// <summary>
/// Writes a RELP session's answers in command order. A run of <c>200 OK</c> waits for its write acknowledgement,
/// so a sender learns a message is safe only once it is in the messages file. The queue is bounded (Wait): a client
/// that does not read its answers stops the read loop, and the window of unanswered commands stops the client.
/// </summary>
internal sealed class RelpResponder
{
    private const int QueueCapacity = 256;

    private readonly Channel<RelpReply> _queue = Channel.CreateBounded<RelpReply>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    private readonly PipeWriter _output;
    private readonly RelpCounters _counters;

    public RelpResponder(PipeWriter output, RelpCounters counters)
    {
        _output = output;
        _counters = counters;
    }

    public ValueTask EnqueueAsync(RelpReply reply) => _queue.Writer.WriteAsync(reply);

    /// <summary>No more answers: the loop sends what is queued and ends.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// Sends answers until the queue is completed or an <see cref="RelpReply.End"/> is sent; <paramref name="closed"/>
    /// (the connection is gone) stops a wait for the writer.
    /// </summary>
    public async Task RunAsync(CancellationToken closed)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(closed).ConfigureAwait(false))
        {
            while (reader.TryRead(out var reply))
            {
                if (reply.Acknowledgement is { } ack)
                {
                    if (!ack.Written.IsCompleted)
                    {
                        // Answers ready so far go out before the wait, not after it.
                        await _output.FlushAsync(closed).ConfigureAwait(false);
                        await ack.Written.WaitAsync(closed).ConfigureAwait(false);
                    }

                    int txnr = reply.FirstTxnr;
                    for (int i = 0; i < reply.Count; i++)
                    {
                        RelpFrameWriter.WriteOk(_output, txnr);
                        txnr = RelpTxnr.Next(txnr);
                    }

                    _counters.Acknowledge(reply.Count);
                }

                if (reply.Frame is { } frame)
                {
                    BuffersExtensions.Write(_output, frame);
                }

                if (reply.End)
                {
                    // librelp's server hints serverclose before it closes a session it has not seen break.
                    BuffersExtensions.Write(_output, RelpFrameWriter.ServerCloseFrame);
                    await _output.FlushAsync(closed).ConfigureAwait(false);
                    return;
                }
            }

            await _output.FlushAsync(closed).ConfigureAwait(false);
        }
    }
}
