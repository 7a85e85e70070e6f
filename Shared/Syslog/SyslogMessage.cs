using System.Text;

namespace Shared.Syslog;

/// <summary>
/// A syslog message with its fields as strings: for building messages by hand, for tests and for the slow paths
/// (API output). The hot paths work on <see cref="SyslogHeader"/> and the frame bytes instead.
/// Null header fields mean NILVALUE.
/// </summary>
public sealed class SyslogMessage
{
    public SyslogFormat Format { get; init; } = SyslogFormat.Rfc5424;

    public SyslogPriority Priority { get; init; } = SyslogPriority.Default;

    public int Version { get; init; } = 1;

    public SyslogTimestamp Timestamp { get; init; }

    public string? HostName { get; init; }

    public string? AppName { get; init; }

    public string? ProcId { get; init; }

    public string? MsgId { get; init; }

    public IReadOnlyList<StructuredDataElement> StructuredData { get; init; } = [];

    /// <summary>
    /// MSG bytes without the BOM. Empty with <see cref="HasMessage"/> false when the message has no MSG part.
    /// </summary>
    public ReadOnlyMemory<byte> Message { get; init; }

    public bool HasMessage { get; init; }

    public bool HasBom { get; init; }

    public Facility Facility => Priority.Facility;

    public Severity Severity => Priority.Severity;

    /// <summary>MSG decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    public string MessageText => Encoding.UTF8.GetString(Message.Span);

    /// <summary>Copies the fields of a parsed frame into a standalone message.</summary>
    public static SyslogMessage Create(ReadOnlySpan<byte> frame, in SyslogHeader header)
    {
        var elements = new List<StructuredDataElement>();
        var reader = new StructuredDataReader(header.StructuredData.Slice(frame));
        while (reader.ReadElement(out var id))
        {
            var parameters = new List<KeyValuePair<string, string>>();
            while (reader.ReadParameter(out var name, out var value))
            {
                parameters.Add(new(Encoding.ASCII.GetString(name), StructuredDataValue.ToString(value)));
            }

            elements.Add(new StructuredDataElement(Encoding.ASCII.GetString(id), parameters));
        }

        return new SyslogMessage
        {
            Format = header.Format,
            Priority = header.Priority,
            Version = header.Version,
            Timestamp = header.Timestamp,
            HostName = Text(frame, header.HostName),
            AppName = Text(frame, header.AppName),
            ProcId = Text(frame, header.ProcId),
            MsgId = Text(frame, header.MsgId),
            StructuredData = elements,
            Message = header.Message.Slice(frame).ToArray(),
            HasMessage = header.Message.Length > 0 || header.HasBom || HasMessagePart(frame, header),
            HasBom = header.HasBom,
        };
    }

    public override string ToString()
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        Rfc5424Writer.Write(writer, this);
        return Encoding.UTF8.GetString(writer.WrittenSpan);
    }

    private static string? Text(ReadOnlySpan<byte> frame, FieldRange range) =>
        range.IsEmpty ? null : Encoding.UTF8.GetString(range.Slice(frame));

    // An empty MSG after "SP" still counts as a MSG part (RFC 5424 §6: [SP MSG]).
    private static bool HasMessagePart(ReadOnlySpan<byte> frame, in SyslogHeader header) =>
        header.Format == SyslogFormat.Rfc5424 && header.Message.Start > 0 && header.Message.Start <= frame.Length
        && frame[header.Message.Start - 1] == ' ';
}
