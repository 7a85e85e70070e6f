using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shared.Transport;

/// <summary>
/// Sends syslog over UDP (RFC 5426): one message per datagram, no framing. A message longer than
/// <see cref="SyslogSenderOptions.MaxDatagramSize"/> is cut at a UTF-8 character boundary and counted in
/// <see cref="SyslogSenderCounters.Truncated"/>. A datagram that cannot be sent is counted in
/// <see cref="SyslogSenderCounters.FailedSends"/> and logged at most once per 10 s; it never throws, since UDP loses
/// messages silently anyway and a retry would only reorder them. Only cancellation ends a send with an exception.
/// One caller at a time; concurrent calls wait for each other.
/// </summary>
public sealed class UdpSyslogSender : ISyslogSender
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    // Re-resolve this often so a changed Service IP is used; UDP shows no error when the old address is dead.
    private static readonly TimeSpan ResolveInterval = TimeSpan.FromSeconds(30);

    private readonly SyslogSenderOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly LogRateLimiter _failureLog;
    private readonly LogRateLimiter _truncationLog;
    private readonly string _endpoint;
    private Socket? _socket;
    private long _resolvedAt;
    private bool _hasResolved;
    private bool _disposed;

    public UdpSyslogSender(SyslogSenderOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        SyslogSenderOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _failureLog = new LogRateLimiter(_timeProvider, LogInterval);
        _truncationLog = new LogRateLimiter(_timeProvider, LogInterval);
        _endpoint = $"udp://{options.Host}:{options.Port}";
    }

    public SyslogSenderCounters Counters { get; } = new();

    public bool IsConnected => Volatile.Read(ref _socket) is not null;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendDatagramAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask SendAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (int i = 0; i < messages.Count; i++)
            {
                await SendDatagramAsync(messages[i], cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _socket?.Dispose();
            Volatile.Write(ref _socket, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask SendDatagramAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (message.IsEmpty)
        {
            throw new ArgumentException("A syslog message cannot be empty.", nameof(message));
        }

        cancellationToken.ThrowIfCancellationRequested();
        int length = Utf8Truncation.FitLength(message.Span, _options.MaxDatagramSize);
        if (length < message.Length)
        {
            Counters.AddTruncated();
            if (_truncationLog.TryAcquire(out long truncated))
            {
                TransportLog.DatagramsTruncated(_logger, _endpoint, truncated, _options.MaxDatagramSize);
            }
        }

        try
        {
            var socket = await GetSocketAsync(cancellationToken).ConfigureAwait(false);
            int sent = await socket.SendAsync(message[..length], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            Counters.AddSent(1, sent);
        }
        catch (SocketException e)
        {
            // Linux reports an ICMP port unreachable for an earlier datagram as ConnectionRefused on this send.
            Counters.AddFailedSend();
            if (_failureLog.TryAcquire(out long failures))
            {
                TransportLog.DatagramFailed(_logger, _endpoint, failures, e);
            }
        }
    }

    /// <summary>
    /// A connected UDP socket: the kernel then reports ICMP errors for our datagrams, and the address is looked up
    /// once per <see cref="ResolveInterval"/>. A failed lookup keeps the previous socket, or counts the message as
    /// failed when there is none; the next lookup is tried only after ReconnectDelay so a DNS outage is not hammered.
    /// </summary>
    private async ValueTask<Socket> GetSocketAsync(CancellationToken cancellationToken)
    {
        var sinceResolve = _timeProvider.GetElapsedTime(_resolvedAt);
        if (_hasResolved && (_socket is null ? sinceResolve < _options.ReconnectDelay : sinceResolve < ResolveInterval))
        {
            return _socket ?? throw new SocketException((int)SocketError.HostNotFound);
        }

        _resolvedAt = _timeProvider.GetTimestamp();
        _hasResolved = true;
        IPAddress[] addresses;
        try
        {
            addresses = await HostResolver.ResolveAsync(_options.Host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException) when (_socket is not null)
        {
            return _socket;
        }

        var socket = new Socket(addresses[0].AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (_options.SendBufferSize is int size)
            {
                socket.SendBufferSize = size;
            }

            await socket.ConnectAsync(new IPEndPoint(addresses[0], _options.Port), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket?.Dispose();
        Volatile.Write(ref _socket, socket);
        return socket;
    }
}
