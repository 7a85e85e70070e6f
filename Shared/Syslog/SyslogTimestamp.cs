namespace Shared.Syslog;

/// <summary>
/// A syslog TIMESTAMP: an instant with its UTC offset, and how many fraction digits the sender wrote
/// (RFC 5424 §6.2.3 allows 0–6; receivers keep the precision so a re-emitted message says the same).
/// The default value is NILVALUE (<c>-</c>): the sender did not know the time.
/// </summary>
public readonly record struct SyslogTimestamp
{
    /// <summary>RFC 5424 §6.2.3.1: TIME-SECFRAC has at most 6 digits.</summary>
    public const int MaxFractionDigits = 6;

    public static readonly SyslogTimestamp Nil;

    public SyslogTimestamp(DateTimeOffset value, int fractionDigits = MaxFractionDigits)
    {
        if ((uint)fractionDigits > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(fractionDigits), fractionDigits, "Fraction digits must be 0-9.");
        }

        Value = value;
        FractionDigits = (byte)fractionDigits;
        HasValue = true;
    }

    public bool HasValue { get; }

    public DateTimeOffset Value { get; }

    /// <summary>
    /// Fraction digits as received (0–9; senders using nanoseconds write 9, the writer emits at most 6).
    /// </summary>
    public byte FractionDigits { get; }

    // DateTimeOffset's own equality compares only the UTC instant, but "22:14:15Z" and "00:14:15+02:00" are
    // written differently, so the offset takes part (EqualsExact compares clock time and offset).
    public bool Equals(SyslogTimestamp other) =>
        HasValue == other.HasValue && FractionDigits == other.FractionDigits && Value.EqualsExact(other.Value);

    public override int GetHashCode() => HashCode.Combine(HasValue, FractionDigits, Value, Value.Offset);

    public override string ToString() => HasValue ? Rfc3339.Format(this) : "-";
}
