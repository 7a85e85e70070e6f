namespace Shared.Syslog;

/// <summary>PRIVAL = facility * 8 + severity (RFC 5424 §6.2.1), 0–191.</summary>
public readonly record struct SyslogPriority
{
    /// <summary>RFC 3164 §4.3.3: a message without PRI is treated as user.notice (13).</summary>
    public static readonly SyslogPriority Default = new(Facility.User, Severity.Notice);

    public const int MaxValue = 191;

    public SyslogPriority(Facility facility, Severity severity)
    {
        if ((uint)facility > (uint)Facility.Local7)
        {
            throw new ArgumentOutOfRangeException(nameof(facility), facility, "Facility must be 0-23.");
        }

        if ((uint)severity > (uint)Severity.Debug)
        {
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "Severity must be 0-7.");
        }

        Value = (byte)(((int)facility << 3) | (int)severity);
    }

    private SyslogPriority(byte value) => Value = value;

    public byte Value { get; }

    public Facility Facility => (Facility)(Value >> 3);

    public Severity Severity => (Severity)(Value & 7);

    /// <summary>Builds a priority from a PRIVAL already checked to be 0–191.</summary>
    public static SyslogPriority FromValue(int value)
    {
        if ((uint)value > MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "PRIVAL must be 0-191.");
        }

        return new SyslogPriority((byte)value);
    }

    public override string ToString() => $"{Facility}.{Severity}";
}
