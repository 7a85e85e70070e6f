namespace Shared.Relp;

/// <summary>A RELP framing failure with the offending byte or value.</summary>
public readonly record struct RelpFramingError(RelpFramingErrorCode Code, long Value = 0)
{
    public bool IsError => Code != RelpFramingErrorCode.None;

    public override string ToString() => Code switch
    {
        RelpFramingErrorCode.None => "no error",
        RelpFramingErrorCode.TxnrExpected => $"expected a transaction number, found byte 0x{Value:X2}",
        RelpFramingErrorCode.TxnrTooLong => "transaction number has more than 9 digits",
        RelpFramingErrorCode.CommandInvalid => $"command must be 1-32 letters, found byte 0x{Value:X2}",
        RelpFramingErrorCode.CommandTooLong => "command has more than 32 letters",
        RelpFramingErrorCode.DataLengthInvalid => $"expected a data length, found byte 0x{Value:X2}",
        RelpFramingErrorCode.DataLengthTooLong => "data length has more than 9 digits",
        RelpFramingErrorCode.SpaceExpected => $"expected SP, found byte 0x{Value:X2}",
        RelpFramingErrorCode.TrailerExpected => $"expected the LF trailer after the data, found byte 0x{Value:X2}",
        _ => Code.ToString(),
    };
}
