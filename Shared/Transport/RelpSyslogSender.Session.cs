using System.Net.Sockets;
using Shared.Relp;

namespace Shared.Transport;

/// <summary>
/// The session's life: opening it, its answers, its watchdog, and giving back what it left unanswered.
/// </summary>
public sealed partial class RelpSyslogSender
{
    private RelpClientSession? _session;
    private ITimer? _watchdog;
    private long _answers;
    private bool _hasConnected;

    private async ValueTask<RelpClientSession> OpenSessionAsync(CancellationToken cancellationToken)
    {
        var socket = await TcpConnection.ConnectSocketAsync(_options, _timeProvider, cancellationToken).ConfigureAwait(false);
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (_tls is not null)
        {
            // The session's pipes sit on the SslStream: a window of frames still leaves in 64 KiB writes, each sealed
            // as TLS records of up to 16 KiB. A failed handshake disposes the stream and the socket with it.
            stream = await _tls.AuthenticateAsync(stream, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        RelpClientSession session;
        try
        {
            session = await RelpClientSession.OpenAsync(stream, _sessionOptions, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"{_endpoint} did not answer RELP open within {_options.ConnectTimeout}.");
        }
        catch (Exception e) when (_tls is not null && e is RelpSessionException or IOException)
        {
            // TLS 1.3 ends our side of the handshake before the server has checked our certificate: its refusal
            // arrives as the answer to open.
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new IOException(
                $"{_endpoint} ended the TLS session before answering RELP open ({e.Message}); a TLS 1.3 receiver does " +
                "this when it refuses the client certificate, or the lack of one",
                e);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (_hasConnected)
        {
            Counters.AddReconnect();
        }

        _hasConnected = true;
        _watchdog = StartWatchdog(session, stream);
        Volatile.Write(ref _session, session);
        TransportLog.RelpOpened(_logger, _endpoint, socket.RemoteEndPoint, string.Join(',', session.ServerOffers.Software), session.WindowSize);
        return session;
    }

    /// <summary>
    /// Ends the session (if any) and gives what it left unanswered back to the deliveries they belong to.
    /// </summary>
    private async ValueTask DropSessionAsync()
    {
        if (_session is not { } session)
        {
            return;
        }

        Volatile.Write(ref _session, null);
        _watchdog?.Dispose();
        _watchdog = null;

        // After DisposeAsync the receive loop has stopped: no answer can arrive while the rest is taken.
        await session.DisposeAsync().ConfigureAwait(false);
        var unanswered = session.TakeUnacknowledged();
        if (unanswered.Count > 0)
        {
            Counters.AddResent(unanswered.Count);
        }

        // In send order, so each delivery gets its own back in order.
        var returned = new Dictionary<RelpDelivery, List<int>>();
        foreach (var message in unanswered)
        {
            var delivery = (RelpDelivery)message.State!;
            if (!returned.TryGetValue(delivery, out var indexes))
            {
                returned[delivery] = indexes = [];
            }

            indexes.Add(message.Tag);
        }

        foreach (var (delivery, indexes) in returned)
        {
            delivery.Return(indexes);
        }
    }

    /// <summary>
    /// Gives up a session whose receiver answered nothing for a whole <see cref="SyslogSenderOptions.RelpAckTimeout"/>
    /// while messages waited (omrelp's timeout): closing the stream ends the session, and its waiters with it.
    /// </summary>
    private ITimer StartWatchdog(RelpClientSession session, Stream stream)
    {
        long seen = Interlocked.Read(ref _answers);
        return _timeProvider.CreateTimer(
            _ =>
            {
                long now = Interlocked.Read(ref _answers);
                if (now == seen && session.Unacknowledged > 0)
                {
                    TransportLog.RelpStalled(_logger, _endpoint, session.Unacknowledged, _options.RelpAckTimeout);
                    stream.Dispose();
                }

                seen = now;
            },
            null,
            _options.RelpAckTimeout,
            _options.RelpAckTimeout);
    }

    // On the session's receive loop, in the order the answers arrive.
    private void OnAnswer(RelpAcknowledgement answer)
    {
        Interlocked.Increment(ref _answers);
        var delivery = (RelpDelivery)answer.State!;
        var message = delivery[answer.Tag];
        if (answer.IsOk)
        {
            Counters.AddSent(1, message.Length);
        }
        else
        {
            Counters.AddRefused();
            if (_refusals.TryAcquire(out long refused))
            {
                TransportLog.RelpRefused(_logger, _endpoint, refused, answer.Response.ToString(), Preview(message.Span));
            }
        }

        delivery.Answer(answer.Response);
    }

    private static string Preview(ReadOnlySpan<byte> message)
    {
        var head = System.Text.Encoding.UTF8.GetString(message[..Math.Min(message.Length, 80)]);
        return string.Concat(head.Select(c => char.IsControl(c) ? '?' : c));
    }
}
