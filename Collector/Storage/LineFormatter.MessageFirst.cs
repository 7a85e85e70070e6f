using System.Buffers;
using Shared.Syslog;

namespace Collector.Storage;

/// <summary>
/// The <c>file</c> format's line for a message with a Kubernetes identity (SD params <c>namespace</c>, <c>pod</c>,
/// <c>container</c>): what a human reads first, then the message, then a TAB and everything else exactly as the
/// older layout kept it between HOSTNAME and MSG (docs/collector.md, The messages file):
/// <c>TIMESTAMP HOSTNAME NAMESPACE/POD/CONTAINER STREAM: MSG&lt;TAB&gt;TAG FACILITY.SEVERITY MSGID STRUCTURED-DATA</c>.
/// Everything the sender sent is escaped (<see cref="ControlCharacters"/>), so that TAB is the only one on the line:
/// it ends the message whatever the message holds.
/// </summary>
public sealed partial class LineFormatter
{
    /// <summary>
    /// A part of the identity in front is cut here (Kubernetes names are at most 253 bytes); the SD after the TAB keeps
    /// the whole value.
    /// </summary>
    private const int MaxIdentityPart = 253;

    /// <summary>Bytes that would split the front into more words: space and the control characters.</summary>
    private static readonly SearchValues<byte> WordBreaks = SearchValues.Create(
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 127,
    ]);

    private static int WriteMessageFirst(
        Span<byte> d, ReadOnlySpan<byte> frame, in SyslogHeader h, in FrameContext context, in KubernetesIdentity identity)
    {
        int n = WriteIdentityPart(d, identity.Namespace);
        d[n++] = (byte)'/';
        n += WriteIdentityPart(d[n..], identity.Pod);
        d[n++] = (byte)'/';
        n += WriteIdentityPart(d[n..], identity.Container);
        d[n++] = (byte)' ';

        // The stream the Forwarder names in MSGID (stdout, stderr), else the severity.
        var msgId = h.MsgId.Slice(frame);
        if (msgId.IsEmpty)
        {
            var priority = PriorityNames[h.Priority.Value];
            msgId = priority.AsSpan(priority.AsSpan().IndexOf((byte)'.') + 1);
        }

        n += Copy(d[n..], msgId);
        d[n++] = (byte)':';
        var message = h.Message.Slice(frame);
        if (!message.IsEmpty)
        {
            d[n++] = (byte)' ';
            n += ControlCharacters.WriteEscapedReversibly(d[n..], message);
        }

        d[n++] = (byte)'\t';
        return n + WriteFileMetadata(d[n..], frame, h, context);
    }

    /// <summary>
    /// A value as it is in the SD (escapes kept), with what would split the front into more words (spaces, escaped
    /// control characters) made <c>_</c>; <c>-</c> when there is none. Only for reading: the reader takes labels from
    /// the SD.
    /// </summary>
    private static int WriteIdentityPart(Span<byte> d, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            d[0] = (byte)'-';
            return 1;
        }

        value = value[..Math.Min(value.Length, MaxIdentityPart)];
        value.CopyTo(d);

        // Kubernetes names never hold these: one vectorised look instead of a test per byte.
        if (value.ContainsAny(WordBreaks))
        {
            for (int i = 0; i < value.Length; i++)
            {
                if (value[i] is <= (byte)' ' or 127)
                {
                    d[i] = (byte)'_';
                }
            }
        }

        return value.Length;
    }
}
