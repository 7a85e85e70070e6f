namespace Shared.Syslog;

/// <summary>
/// A parse failure: what was wrong and the byte offset in the frame where it was found,
/// e.g. <c>PRI &gt; 191 at 1</c>. A value type, so failing costs no allocation until it is printed.
/// </summary>
public readonly record struct SyslogParseError(SyslogParseErrorCode Code, int Position)
{
    public static readonly SyslogParseError None;

    public bool IsError => Code != SyslogParseErrorCode.None;

    public string Reason => Describe(Code);

    public override string ToString() => IsError ? $"{Reason} at {Position}" : "no error";

    public static string Describe(SyslogParseErrorCode code) => code switch
    {
        SyslogParseErrorCode.None => "no error",
        SyslogParseErrorCode.EmptyMessage => "empty message",
        SyslogParseErrorCode.PriMissing => "expected '<' to start PRI",
        SyslogParseErrorCode.PriNotANumber => "PRI must be 1-3 digits",
        SyslogParseErrorCode.PriLeadingZero => "PRI has a leading zero",
        SyslogParseErrorCode.PriTooLarge => "PRI > 191",
        SyslogParseErrorCode.PriUnterminated => "expected '>' after PRI",
        SyslogParseErrorCode.VersionInvalid => "VERSION must be 1-3 digits without a leading zero",
        SyslogParseErrorCode.SpaceExpected => "expected SP",
        SyslogParseErrorCode.TimestampInvalid => "TIMESTAMP is not '-' or RFC 3339 (YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm))",
        SyslogParseErrorCode.TimestampOutOfRange => "TIMESTAMP field out of range",
        SyslogParseErrorCode.FieldEmpty => "header field is empty (use '-' for none)",
        SyslogParseErrorCode.HostNameTooLong => "HOSTNAME longer than 255 octets",
        SyslogParseErrorCode.AppNameTooLong => "APP-NAME longer than 48 octets",
        SyslogParseErrorCode.ProcIdTooLong => "PROCID longer than 128 octets",
        SyslogParseErrorCode.MsgIdTooLong => "MSGID longer than 32 octets",
        SyslogParseErrorCode.HeaderNotPrintable => "header field has a byte outside PRINTUSASCII (33-126)",
        SyslogParseErrorCode.StructuredDataMissing => "expected '-' or '[' to start STRUCTURED-DATA",
        SyslogParseErrorCode.SdNameInvalid => "SD-NAME is empty or has '=', SP, ']', '\"' or a non-printable byte",
        SyslogParseErrorCode.SdNameTooLong => "SD-NAME longer than 32 octets",
        SyslogParseErrorCode.SdParamEqualsExpected => "expected '=' after PARAM-NAME",
        SyslogParseErrorCode.SdParamQuoteExpected => "expected '\"' to start PARAM-VALUE",
        SyslogParseErrorCode.SdValueUnterminated => "PARAM-VALUE has no closing '\"'",
        SyslogParseErrorCode.SdValueInvalidUtf8 => "PARAM-VALUE is not valid UTF-8",
        SyslogParseErrorCode.SdElementUnterminated => "SD-ELEMENT has no closing ']'",
        SyslogParseErrorCode.MessageInvalidUtf8 => "MSG after the UTF-8 BOM is not valid UTF-8",
        _ => code.ToString(),
    };
}
