using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Collector.Ingest.Tls;

/// <summary>
/// The <see cref="SslStream"/> after the handshake, as the ingest handler reads it. A read that fails for a TLS reason
/// (an alert, a record that does not decrypt, a renegotiation attempt) is reported once through
/// <paramref name="broken"/> before the exception goes on to the handler, which ends the connection as it ends any
/// broken one; resets, aborts and cancellation are ordinary endings and are not reported.
/// </summary>
internal sealed class DecryptedStream(SslStream tls, Action<Exception> broken) : Stream
{
    private int _reported;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await tls.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTlsFailure(ex) && Interlocked.Exchange(ref _reported, 1) == 0)
        {
            broken(ex);
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => tls.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        tls.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        tls.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => tls.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => tls.FlushAsync(cancellationToken);

    public override void Flush() => tls.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private static bool IsTlsFailure(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is ConnectionResetException or ConnectionAbortedException or OperationCanceledException
                or SocketException or ObjectDisposedException)
            {
                return false;
            }
        }

        return ex is IOException or System.Security.Authentication.AuthenticationException;
    }
}
