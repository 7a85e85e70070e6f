using System.Buffers;

namespace Collector.Ingest.Tls;

/// <summary>
/// Recognises a TLS client on the plain TCP port by its first bytes: a handshake record (0x16) of TLS 1.0-1.3
/// (version 0x03 0x01-0x04; a ClientHello's record version is 0x0301 or 0x0303). No syslog frame starts with 0x16:
/// an octet count starts with a digit, an LF-framed message with '&lt;'.
/// </summary>
public static class TlsClientHello
{
    /// <summary>Done: a ClientHello; NeedMoreData: too few bytes to tell yet; InvalidData: not TLS.</summary>
    public static OperationStatus Check(ReadOnlySequence<byte> buffer, bool completed)
    {
        if (buffer.IsEmpty || buffer.FirstSpan[0] != 0x16)
        {
            return OperationStatus.InvalidData;
        }

        if (buffer.Length < 3)
        {
            return completed ? OperationStatus.InvalidData : OperationStatus.NeedMoreData;
        }

        Span<byte> head = stackalloc byte[3];
        buffer.Slice(0, 3).CopyTo(head);
        return head[1] == 0x03 && head[2] is >= 0x01 and <= 0x04 ? OperationStatus.Done : OperationStatus.InvalidData;
    }
}
