namespace Shared.Syslog;

/// <summary>
/// The parsed view of one syslog frame: values that fit in a register, and <see cref="FieldRange"/>s into the
/// frame for the text fields, so parsing allocates nothing. Valid only together with the frame it came from.
/// Use <see cref="SyslogMessage.Create"/> to materialise strings when needed.
/// </summary>
public readonly struct SyslogHeader
{
    public SyslogFormat Format { get; init; }

    public SyslogPriority Priority { get; init; }

    /// <summary>RFC 5424 VERSION (1); 0 for RFC 3164 messages, which have none.</summary>
    public int Version { get; init; }

    public SyslogTimestamp Timestamp { get; init; }

    public FieldRange HostName { get; init; }

    public FieldRange AppName { get; init; }

    public FieldRange ProcId { get; init; }

    public FieldRange MsgId { get; init; }

    /// <summary>
    /// The whole STRUCTURED-DATA section (<c>[id k="v"]…</c>), empty for NILVALUE. Read it with
    /// <see cref="StructuredDataReader"/>.
    /// </summary>
    public FieldRange StructuredData { get; init; }

    /// <summary>MSG without the UTF-8 BOM and without the one trailing LF rsyslog appends.</summary>
    public FieldRange Message { get; init; }

    /// <summary>MSG started with the UTF-8 BOM (RFC 5424 §6.4), so it is known to be UTF-8.</summary>
    public bool HasBom { get; init; }

    public Facility Facility => Priority.Facility;

    public Severity Severity => Priority.Severity;
}
