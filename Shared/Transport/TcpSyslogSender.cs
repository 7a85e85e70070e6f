using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Shared.Framing;

namespace Shared.Transport;

/// <summary>
/// Sends syslog over TCP (RFC 6587), octet-counted or LF-framed, optionally inside TLS (RFC 5425, see
/// <see cref="SyslogSenderOptions.Tls"/>; a refused certificate is retried like a refused connect and shown in
/// <see cref="SyslogSenderCounters.LastError"/>). A batch is framed into one buffer and written with one write. On a
/// socket error the connection is dropped and the whole batch is written again on a new connection, with exponential
/// backoff and jitter, until it succeeds or the caller cancels: a receiver may see a batch twice (at least once),
/// never a gap while errors are visible to us. Bytes accepted by the kernel are lost if the peer dies before reading
/// them; plain TCP syslog has no acknowledgements to detect that (RELP has), nor has TLS: a TLS 1.3 receiver refusing
/// our client certificate does so after our side of the handshake, so a batch written before its alert arrives is lost.
/// One caller at a time; concurrent calls wait for each other.
/// </summary>
public sealed class TcpSyslogSender : ISyslogSender
{
    private const int InitialBufferSize = 16 * 1024;

    // A rare huge batch should not pin its buffer for the life of the sender.
    private const int MaxRetainedBufferSize = 1024 * 1024;

    private readonly SyslogSenderOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Cancelled by DisposeAsync, so disposing never waits on a send stuck in its retry delays.
    private readonly CancellationTokenSource _disposing = new();
    private readonly string _endpoint;
    private readonly TlsClientContext? _tls;
    private ArrayBufferWriter<byte> _buffer = new(InitialBufferSize);
    private TcpConnection? _connection;
    private bool _hasConnected;
    private bool _disposed;

    public TcpSyslogSender(SyslogSenderOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        SyslogSenderOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _endpoint = options.Tls is null ? $"tcp://{options.Host}:{options.Port}" : $"tls://{options.Host}:{options.Port}";
        _tls = TlsClientContext.Create(options, _endpoint, _logger, _timeProvider);
        _pipeline = BuildPipeline();
    }

    public SyslogSenderCounters Counters { get; } = new();

    /// <summary>
    /// A connection is open and the peer has not closed it, as far as the socket shows without sending.
    /// </summary>
    public bool IsConnected => Volatile.Read(ref _connection) is { } connection && !connection.IsClosedByPeer();

    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.ResetWrittenCount();
            FrameWriter.Write(_buffer, message.Span, _options.Framing);
            await WriteBufferAsync(1, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.ResetWrittenCount();
            for (int i = 0; i < messages.Count; i++)
            {
                FrameWriter.Write(_buffer, messages[i].Span, _options.Framing);
            }

            await WriteBufferAsync(messages.Count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Cancels a send in progress (it throws <see cref="OperationCanceledException"/>) and closes the connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _disposing.Dispose();
            await DropConnectionAsync().ConfigureAwait(false);
            _tls?.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask WriteBufferAsync(int messageCount, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        try
        {
            await _pipeline.ExecuteAsync(static (sender, token) => sender.WriteOnceAsync(token), this, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Report the caller's token, not the linked one, so `when (e.CancellationToken == stoppingToken)` works.
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        Counters.AddSent(messageCount, _buffer.WrittenCount);
        if (_buffer.Capacity > MaxRetainedBufferSize)
        {
            _buffer = new ArrayBufferWriter<byte>(InitialBufferSize);
        }
    }

    private async ValueTask WriteOnceAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null && _connection.IsClosedByPeer())
        {
            TransportLog.ClosedByPeer(_logger, _endpoint);
            await DropConnectionAsync().ConfigureAwait(false);
        }

        try
        {
            var connection = _connection ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await connection.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e) when (connection.PeerError is { } peerError)
            {
                // The write only says the session is gone; the peer's alert says why.
                await DropConnectionAsync().ConfigureAwait(false);
                throw new IOException(peerError.Message, e);
            }
            catch
            {
                // Part of a frame may be on the wire (also after cancellation): only a new connection is in sync again.
                await DropConnectionAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecordError(e);
            throw;
        }
    }

    private async ValueTask<TcpConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await TcpConnection.ConnectAsync(_options, _tls, RecordError, _timeProvider, cancellationToken).ConfigureAwait(false);
        if (_hasConnected)
        {
            Counters.AddReconnect();
        }

        _hasConnected = true;
        Volatile.Write(ref _connection, connection);
        TransportLog.Connected(_logger, _endpoint, connection.RemoteEndPoint);
        return connection;
    }

    private async ValueTask DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            Volatile.Write(ref _connection, null);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void RecordError(Exception exception) => Counters.RecordError(exception.Message, _timeProvider.GetUtcNow());

    // Built once. By default the retry ends only through the caller's token (MaxRetryAttempts = int.MaxValue);
    // with no retries at all there is no retry strategy (Polly requires at least one attempt).
    private ResiliencePipeline BuildPipeline() => _options.MaxRetryAttempts == 0
        ? ResiliencePipeline.Empty
        : SendRetry.Build(_timeProvider, _options.ReconnectDelay, _options.MaxReconnectDelay, _options.MaxRetryAttempts, args =>
            TransportLog.Retrying(_logger, _endpoint, args.AttemptNumber + 1, _buffer.WrittenCount, args.RetryDelay, args.Outcome.Exception));
}
