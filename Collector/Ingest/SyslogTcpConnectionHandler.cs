using System.Buffers;
using Collector.Configuration;
using Collector.Ingest.Tls;
using Collector.Relay;
using Collector.Storage;
using Microsoft.AspNetCore.Connections;

namespace Collector.Ingest;

/// <summary>
/// One TCP syslog connection, on Kestrel's socket transport and pipes. The loop: read (no cancellation token, so
/// frames already buffered are still read after the client closes) → frame and format every complete frame →
/// <c>AdvanceTo</c> → hand the lines to storage, waiting while its queue is full; while we wait the pipe fills and
/// Kestrel stops reading the socket, so the sender is paused, not dropped. Lost framing (a bad octet count) closes
/// this connection only. On shutdown the pending read is cancelled and what was read is still stored.
/// </summary>
public sealed class SyslogTcpConnectionHandler(
    StorageChannel queue,
    LineFormatter formatter,
    IngestMetrics metrics,
    ConnectionTracker tracker,
    CollectorOptions options,
    TimeProvider time,
    RelayFanout relays,
    ILogger<SyslogTcpConnectionHandler> logger,
    Sources.SourceMarks origins,
    TlsCounters tls) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        using var lease = tracker.TryAdd(connection);
        if (lease is null)
        {
            return;
        }

        var input = connection.Transport.Input;
        using var shutdown = ConnectionTracker.StopReadingOnShutdown(connection);
        bool encrypted = connection.Features.Get<TlsPeer>() is not null;
        using var session = new IngestSession(formatter, queue, encrypted ? metrics.Tls : metrics.Tcp, options.MaxMessageSize, relays)
        {
            Peer = PeerName.Of(connection.RemoteEndPoint),
            Origins = origins,
            Identity = IdentityCheck.For(connection, options, tls, logger),
        };
        IngestLog.ConnectionOpened(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString());
        string ending = "closed by peer";
        bool firstRead = true;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (firstRead && !encrypted && TlsClientHello.Check(buffer, result.IsCompleted) is var hello and not OperationStatus.InvalidData)
                {
                    if (hello == OperationStatus.NeedMoreData)
                    {
                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    }

                    // Its bytes would be stored as a garbage line and the sender would wait for a ServerHello forever.
                    input.AdvanceTo(buffer.End);
                    tls.Failed(TlsFailure.TlsOnPlainPort);
                    if (tls.ShouldLog(TlsFailure.TlsOnPlainPort, out long suppressed))
                    {
                        TlsLog.TlsOnPlainPort(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), suppressed);
                    }

                    ending = "TLS ClientHello on the plain TCP port";
                    break;
                }

                firstRead = false;
                // Local time, as rsyslog: RFC 3164 timestamps carry no offset and are read in the receiver's zone.
                var now = time.GetLocalNow();
                OperationStatus status;
                Shared.Framing.FramingError error;
                try
                {
                    status = session.ReadFrames(ref buffer, now, out error);
                    if (status == OperationStatus.NeedMoreData && (result.IsCompleted || result.IsCanceled))
                    {
                        // Cancelled: the server is stopping, and a line without its LF may be cut.
                        session.AddRemainder(buffer, now, cut: result.IsCanceled);
                        buffer = buffer.Slice(buffer.End);
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                lease.Touch();
                await session.FlushAsync().ConfigureAwait(false);

                // A client paused by backpressure is not idle: the wait for storage does not count.
                lease.Touch();
                if (status == OperationStatus.InvalidData)
                {
                    metrics.FramingErrors();
                    IngestLog.FramingLost(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), error.ToString());
                    ending = "framing lost";
                    break;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    ending = result.IsCanceled ? "server stopping" : ending;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or OperationCanceledException or IOException)
        {
            // Reset, aborted (idle timeout, shutdown) or the queue closed: expected endings.
            ending = lease.ClosedForIdleness ? "idle timeout" : ex.GetType().Name;
            await session.TryFlushAtEndAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ending = "error";
            IngestLog.ConnectionFailed(logger, connection.ConnectionId, ex);
        }
        finally
        {
            IngestLog.ConnectionClosed(logger, connection.ConnectionId, ending);
        }
    }
}
