using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Collector.Configuration;
using Microsoft.AspNetCore.Connections;

namespace Collector.Ingest.Tls;

/// <summary>
/// The TLS layer of the <c>--tls</c> and <c>--relp-tls</c> listeners, a Kestrel connection middleware in front of the
/// same handlers as plain TCP and RELP: it shakes hands (TLS 1.2 or 1.3, at most --tls-max-handshakes at once, within
/// the handshake timeout), checks the client certificate, then hands the handler the decrypted pipes and a
/// <see cref="TlsPeer"/> feature. A connection that fails closes alone, logged (rate-limited per reason) with its peer
/// and reason and counted by reason.
/// </summary>
public sealed class TlsHandshake(
    TlsServerCertificate certificate,
    TlsClientValidator validator,
    CollectorOptions options,
    TlsHandshakeSlots slots,
    TlsCounters counters,
    TimeProvider time,
    ILogger<TlsHandshake> logger)
{
    /// <summary>Decrypted reads fill buffers of this size: one TLS record is at most 16 KiB of plaintext.</summary>
    private const int ReadBufferSize = 32 * 1024;

    private const int RecordHeader = 5;

    private static readonly PipeOptions DecryptedPipeOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: ReadBufferSize,
        useSynchronizationContext: false);

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next, string listener)
    {
        var original = connection.Transport;
        string? peer = connection.RemoteEndPoint?.ToString();
        var failure = new Failure();
        SslStream? tls = null;
        try
        {
            tls = await HandshakeAsync(connection, failure).ConfigureAwait(false);
            if (failure.Reason is not null)
            {
                Refuse(connection, peer, listener, failure);
                return;
            }

            counters.HandshakeDone();
            var identity = tls!.RemoteCertificate is { } remote
                ? TlsPeer.From(remote as X509Certificate2 ?? new X509Certificate2(remote), tls.SslProtocol.ToString())
                : TlsPeer.Anonymous(tls.SslProtocol.ToString());
            TlsLog.Established(logger, connection.ConnectionId, peer, identity.Protocol, identity.Name ?? identity.Fingerprint);
            var decrypted = new DecryptedStream(tls, ex => StreamBroken(connection, peer, ex));
            var input = new Pipe(DecryptedPipeOptions);
            var output = PipeWriter.Create(decrypted, new StreamPipeWriterOptions(leaveOpen: true));
            using var stopPump = new CancellationTokenSource();
            var pump = PumpAsync(decrypted, input.Writer, stopPump.Token);
            connection.Transport = new DecryptedPipe(input.Reader, output);
            connection.Features.Set(identity);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                await input.Reader.CompleteAsync().ConfigureAwait(false);
                await stopPump.CancelAsync().ConfigureAwait(false);
                await pump.ConfigureAwait(false);
                await output.CompleteAsync().ConfigureAwait(false);
                connection.Transport = original;
            }
        }
        finally
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Decrypts into the handler's pipe while the handler frames and formats what came before, as Kestrel's socket
    /// transport reads ahead for plain TCP: the two overlap, and a read hands the handler every record decrypted
    /// meanwhile, not one. The pipe pauses at 1 MiB (the plain listener's read-ahead), so a client the storage queue
    /// pauses stops being read here too. Ends at the client's end (completing the pipe, with the error if the TLS
    /// stream broke) or when the handler is done.
    /// </summary>
    private static async Task PumpAsync(Stream decrypted, PipeWriter writer, CancellationToken stop)
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                int read = await decrypted.ReadAsync(writer.GetMemory(ReadBufferSize), stop).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);
                var flushed = await writer.FlushAsync(stop).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The handler is done and no longer reads.
        }
        catch (Exception ex)
        {
            // The handler's next read throws it: a reset or a broken TLS stream ends the connection as on plain TCP.
            failure = ex;
        }

        await writer.CompleteAsync(failure).ConfigureAwait(false);
    }

    /// <summary>
    /// The handshake in three steps, each with its own deadline: the client's first record, its ClientHello, within
    /// the handshake timeout (without a slot, so clients that connect and stall cost a socket, not a slot); a slot
    /// within the queue timeout; then the handshake, within the handshake timeout counted from the slot, so time
    /// spent waiting does not eat into it. Returns the stream (to dispose) or null; a refusal sets
    /// <paramref name="failure"/>.
    /// </summary>
    private async Task<SslStream?> HandshakeAsync(ConnectionContext connection, Failure failure)
    {
        using (var hello = new CancellationTokenSource(options.TlsHandshakeTimeout, time))
        {
            try
            {
                if (!await ReadClientHelloAsync(connection.Transport.Input, failure, hello.Token).ConfigureAwait(false))
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (hello.IsCancellationRequested)
            {
                failure.Set(TlsFailure.HandshakeTimeout, $"no ClientHello within {options.TlsHandshakeTimeout}");
                return null;
            }
            catch (Exception ex) when (ex is IOException or ConnectionAbortedException)
            {
                failure.Set(TlsFailure.ClosedInHandshake, (ex.InnerException?.Message ?? ex.Message).Trim());
                return null;
            }
        }

        // A client that gives up while it waits (closes) leaves the queue at once instead of costing a handshake later.
        using (var queue = new CancellationTokenSource(options.TlsHandshakeQueueTimeout, time))
        using (connection.ConnectionClosed.UnsafeRegister(static q => ((CancellationTokenSource)q!).Cancel(), queue))
        {
            if (!await slots.WaitAsync(queue.Token).ConfigureAwait(false))
            {
                if (connection.ConnectionClosed.IsCancellationRequested)
                {
                    failure.Set(TlsFailure.ClosedInHandshake, "closed while waiting for a handshake slot");
                }
                else
                {
                    failure.Set(TlsFailure.HandshakeQueueTimeout, $"no handshake slot within {options.TlsHandshakeQueueTimeout} " +
                        $"(--tls-max-handshakes {options.TlsMaxHandshakes} in progress)");
                }

                return null;
            }
        }

        var tls = new SslStream(new DuplexPipeStream(connection.Transport), leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(options.TlsHandshakeTimeout, time);
        try
        {
            await tls.AuthenticateAsServerAsync(ServerOptions(failure), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            failure.Set(TlsFailure.HandshakeTimeout, $"no complete handshake within {options.TlsHandshakeTimeout}");
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or ConnectionAbortedException)
        {
            // The certificate callback's reason wins over the exception's generic text.
            failure.Set(
                ex is AuthenticationException ? TlsFailure.Protocol : TlsFailure.ClosedInHandshake,
                (ex.InnerException?.Message ?? ex.Message).Trim());
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            slots.Release();
        }

        return tls;
    }

    /// <summary>
    /// Waits until the client's first TLS record, its ClientHello, is here whole. A stream that does not start with a
    /// handshake record (0x16) is plain text (a syslog sender pointed at the wrong port) and is refused without a
    /// handshake; a client that connects and closes (a TCP health probe) is closed quietly (empty reason). Nothing is
    /// consumed: the handshake reads the record again.
    /// </summary>
    private static async Task<bool> ReadClientHelloAsync(PipeReader input, Failure failure, CancellationToken timeout)
    {
        // A pipe refuses to move "examined" back, so a partial record's end is remembered and handed back at the end:
        // short of the buffer's end, it lets the handshake's first read return at once.
        SequencePosition? examined = null;
        while (true)
        {
            var result = await input.ReadAsync(timeout).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.IsEmpty)
            {
                input.AdvanceTo(buffer.Start, examined ?? buffer.Start);
                failure.Set(string.Empty, "closed before its handshake");
                return false;
            }

            byte first = buffer.FirstSpan[0];
            if (first != 0x16)
            {
                input.AdvanceTo(buffer.Start, examined ?? buffer.Start);
                string shown = first is >= 0x20 and < 0x7F ? $"'{(char)first}'" : $"0x{first:X2}";
                failure.Set(TlsFailure.NotTls, $"not TLS: the stream starts with {shown} (plain syslog sent to a TLS port?)");
                return false;
            }

            // RFC 8446 §5.1: type (1 byte), legacy version (2), length (2, big-endian), then the fragment. A client
            // that closes half-way is left to the handshake, which reports it.
            if (result.IsCompleted || (buffer.Length >= RecordHeader && buffer.Length >= RecordHeader + RecordLength(buffer)))
            {
                input.AdvanceTo(buffer.Start, examined ?? buffer.Start);
                return true;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            examined = buffer.End;
        }
    }

    private static int RecordLength(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[RecordHeader];
        buffer.Slice(0, RecordHeader).CopyTo(header);
        return BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
    }

    private SslServerAuthenticationOptions ServerOptions(Failure failure) => new()
    {
        ServerCertificateContext = certificate.Current,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateRequired = validator.RequiresCertificate,
        CertificateChainPolicy = validator.ChainPolicy(),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
        // No session resumption: every connection is a full handshake with the client's current certificate (not
        // one resumed from before a rotation), and a new mTLS connection measured about a tenth less CPU without it
        // (docs/security.md). Senders keep their connections, so none gains by resuming.
        AllowTlsResume = false,
        RemoteCertificateValidationCallback = (_, remote, chain, _) =>
        {
            var problem = validator.Check(remote as X509Certificate2 ?? (remote is null ? null : new X509Certificate2(remote)), chain);
            if (problem is { } p)
            {
                failure.Set(p.Reason, p.Detail);
                return false;
            }

            return true;
        },
    };

    private void Refuse(ConnectionContext connection, string? peer, string listener, Failure failure)
    {
        if (failure.Reason is not { Length: > 0 } reason)
        {
            TlsLog.ClosedBeforeHandshake(logger, connection.ConnectionId, peer);
            return;
        }

        counters.Failed(reason);
        if (counters.ShouldLog(reason, out long suppressed))
        {
            TlsLog.Refused(logger, connection.ConnectionId, peer, listener, reason, failure.Detail ?? reason, suppressed);
        }
    }

    private void StreamBroken(ConnectionContext connection, string? peer, Exception ex)
    {
        counters.StreamError();
        if (counters.ShouldLog("stream", out long suppressed))
        {
            TlsLog.StreamBroken(logger, connection.ConnectionId, peer, (ex.InnerException?.Message ?? ex.Message).Trim(), suppressed);
        }
    }

    /// <summary>The first reason found wins: the certificate check runs before the exception it causes.</summary>
    private sealed class Failure
    {
        public string? Reason { get; private set; }

        public string? Detail { get; private set; }

        public void Set(string reason, string detail)
        {
            if (Reason is null)
            {
                Reason = reason;
                Detail = detail;
            }
        }
    }

    private sealed class DecryptedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
