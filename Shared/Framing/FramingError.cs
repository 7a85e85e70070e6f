namespace Shared.Framing;

/// <summary>
/// A framing failure with the value that caused it (the declared or seen length, or the offending byte).
/// </summary>
public readonly record struct FramingError(FramingErrorCode Code, long Value = 0, int Limit = 0)
{
    public bool IsError => Code != FramingErrorCode.None;

    public override string ToString() => Code switch
    {
        FramingErrorCode.None => "no error",
        FramingErrorCode.LengthLeadingZero => "octet count (MSG-LEN) starts with 0",
        FramingErrorCode.LengthTooLarge => "octet count (MSG-LEN) has more than 10 digits or exceeds 2147483647",
        FramingErrorCode.SpaceExpected => $"expected SP after the octet count (MSG-LEN), found byte 0x{Value:X2}",
        FramingErrorCode.FrameTooLarge => $"frame of {FrameLength} bytes exceeds the limit of {Limit} bytes",
        _ => Code.ToString(),
    };

    private string FrameLength =>
        Value < 0 ? "more than " + Limit : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
