using System.Net.Sockets;

namespace TestSupport;

public sealed partial class LoopbackTcpReceiver
{
    /// <summary>
    /// One accepted connection: a read loop appending to a buffer until the peer or the test closes it.
    /// </summary>
    private sealed class Connection
    {
        private readonly Socket _socket;
        private readonly List<byte> _received = [];
        private readonly long? _resetAfterBytes;
        private int _closing;

        public Connection(Socket socket, long? resetAfterBytes)
        {
            _socket = socket;
            _resetAfterBytes = resetAfterBytes;
            Closed = ReadAsync();
        }

        public Task Closed { get; }

        public long Length
        {
            get
            {
                lock (_received)
                {
                    return _received.Count;
                }
            }
        }

        public byte[] Snapshot()
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }

        /// <summary>
        /// FIN (graceful) or RST (<paramref name="reset"/>: linger 0), which loses bytes the peer still sends.
        /// </summary>
        public void Close(bool reset)
        {
            if (Interlocked.Exchange(ref _closing, 1) == 1)
            {
                return;
            }

            if (reset)
            {
                _socket.LingerState = new LingerOption(true, 0);
            }
            else
            {
                _socket.Shutdown(SocketShutdown.Both);
            }

            _socket.Close();
        }

        private async Task ReadAsync()
        {
            await Task.Yield();
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    int read = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        break;
                    }

                    lock (_received)
                    {
                        _received.AddRange(buffer.AsSpan(0, read));
                    }

                    if (_resetAfterBytes is long limit && Length >= limit)
                    {
                        Close(reset: true);
                        return;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed by Close() while a receive was pending, or reset by the sender: the bytes so far are the
                // result.
                return;
            }

            Close(reset: false);
        }
    }
}
