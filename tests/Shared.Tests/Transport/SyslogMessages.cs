using System.Text;

namespace Shared.Tests.Transport;

/// <summary>Small hand-built RFC 5424 messages for the sender tests.</summary>
internal static class SyslogMessages
{
    public static byte[] Numbered(int number, string text = "hello") =>
        Encoding.UTF8.GetBytes($"<13>1 2026-01-01T00:00:00Z host app - M{number} - {text} {number}");

    public static ReadOnlyMemory<byte>[] Batch(int count, int from = 0, string text = "hello") =>
        Enumerable.Range(from, count).Select(i => (ReadOnlyMemory<byte>)Numbered(i, text)).ToArray();

    /// <summary>
    /// The octet-counted stream of <paramref name="messages"/>, written independently of FrameWriter.
    /// </summary>
    public static byte[] OctetCounted(IEnumerable<ReadOnlyMemory<byte>> messages) =>
        messages.SelectMany(m => Encoding.ASCII.GetBytes($"{m.Length} ").Concat(m.ToArray())).ToArray();
}
