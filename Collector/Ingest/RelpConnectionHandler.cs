using System.Buffers;
using Collector.Configuration;
using Collector.Relay;
using Collector.Storage;
using Microsoft.AspNetCore.Connections;
using Shared.Relp;

namespace Collector.Ingest;

/// <summary>
/// One RELP connection on Kestrel's pipes, the TCP syslog loop with answers: read → frame → each <c>syslog</c> becomes
/// a line → <c>AdvanceTo</c> → hand the lines to storage. A <see cref="RelpResponder"/> beside the loop sends
/// <c>200 OK</c> for each run of commands once the writer has written it (from the writer's thread, with no task per
/// run). On shutdown the loop stops reading, the answers for what was read still go out, then <c>serverclose</c>.
/// A broken session closes this connection only.
/// </summary>
public sealed class RelpConnectionHandler(
    StorageChannel queue,
    LineFormatter formatter,
    IngestMetrics metrics,
    ConnectionTracker tracker,
    CollectorOptions options,
    TimeProvider time,
    RelayFanout relays,
    Sources.SourceMarks origins,
    Tls.TlsCounters tls,
    ILogger<RelpConnectionHandler> logger) : ConnectionHandler
{
    private const int MinChunkSize = 4096;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        using var lease = tracker.TryAdd(connection);
        if (lease is null)
        {
            return;
        }

        var input = connection.Transport.Input;
        using var shutdown = ConnectionTracker.StopReadingOnShutdown(connection);
        using var lines = new IngestSession(formatter, queue, metrics.Relp, options.MaxMessageSize, relays)
        {
            Peer = PeerName.Of(connection.RemoteEndPoint),
            Origins = origins,
            Identity = Tls.IdentityCheck.For(connection, options, tls, logger),
        };
        var counters = metrics.RelpSessions;
        var responder = new RelpResponder(connection.Transport.Output, counters);
        var session = new RelpServerSession(
            lines,
            counters,
            options.RelpAckAfter == RelpAckAfter.Fsync,
            options.MaxMessageSize,
            responder);
        string? peer = connection.RemoteEndPoint?.ToString();
        IngestLog.ConnectionOpened(logger, connection.ConnectionId, peer);
        string ending = "closed by peer";
        bool end = false;
        try
        {
            while (!end)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                lines.ChunkSize = ChunkSizeFor(buffer.Length);
                var now = time.GetLocalNow();
                var status = OperationStatus.Done;
                RelpFramingError error = default;
                long oversizeBefore = counters.Oversize;
                try
                {
                    while (!end && (status = session.Reader.TryReadFrame(ref buffer, out var frame, out error)) == OperationStatus.Done)
                    {
                        end = !session.Handle(frame, now);
                    }

                    session.EndRun();
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                lease.Touch();
                await lines.FlushAsync().ConfigureAwait(false);
                lease.Touch();
                foreach (var reply in session.Replies)
                {
                    await responder.EnqueueAsync(reply).ConfigureAwait(false);
                }

                session.Replies.Clear();
                if (responder.Finished.IsCompleted)
                {
                    // The answers cannot go on (the writer gave up on a run's lines, or the pipe failed): end here.
                    await responder.Finished.ConfigureAwait(false);
                }

                if (counters.Oversize != oversizeBefore)
                {
                    IngestLog.RelpOversize(
                        logger,
                        connection.ConnectionId,
                        peer,
                        session.LastOversize,
                        session.Reader.MaxDataLength,
                        counters.Oversize);
                }

                if (end)
                {
                    ending = session.Ending ?? ending;
                    if (session.ProtocolError)
                    {
                        IngestLog.RelpProtocolError(logger, connection.ConnectionId, peer, ending);
                    }
                }
                else if (status == OperationStatus.InvalidData)
                {
                    counters.ProtocolError();
                    metrics.FramingErrors();
                    ending = session.IsOpen ? $"framing lost: {error}" : $"not RELP: {error}";
                    IngestLog.RelpProtocolError(logger, connection.ConnectionId, peer, ending);
                    end = true;
                }
                else if (result.IsCompleted || result.IsCanceled)
                {
                    ending = result.IsCanceled ? "server stopping" : ending;
                    end = true;
                }
            }

            // Answers for everything read, then serverclose (a client that left does not read them; no harm).
            // A responder left waiting on a stuck writer ends when the writer gives up (shutdown) or the write goes
            // through; not on the connection's ConnectionClosed token: Kestrel fires it on the client's FIN, and a
            // client that half-closes after its last command still gets the answers.
            await responder.EnqueueAsync(RelpReply.Close()).ConfigureAwait(false);
            await responder.Finished.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException
            or OperationCanceledException or IOException or InvalidOperationException)
        {
            // Reset, aborted (idle timeout, shutdown), the queue closed, or the writer gave up: expected endings.
            ending = lease.ClosedForIdleness ? "idle timeout" : ex.GetType().Name;
            await lines.TryFlushAtEndAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ending = "error";
            IngestLog.ConnectionFailed(logger, connection.ConnectionId, ex);
        }
        finally
        {
            // Kestrel completes the pipe once this returns: no answer may be written into it after that.
            await responder.DetachAsync().ConfigureAwait(false);
            if (session.IsOpen)
            {
                counters.SessionClosed();
            }

            IngestLog.ConnectionClosed(logger, connection.ConnectionId, ending);
        }
    }

    /// <summary>
    /// Each read's lines go to the writer in chunks of their own, answered when written: room for what was read (its
    /// lines are about as long as its frames; twice that covers the added fields), 4 KiB to 64 KiB.
    /// </summary>
    internal static int ChunkSizeFor(long bytesRead) =>
        (int)Math.Clamp(
            System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Min(bytesRead, LineChunk.DefaultSize) * 2),
            MinChunkSize,
            LineChunk.DefaultSize);
}
