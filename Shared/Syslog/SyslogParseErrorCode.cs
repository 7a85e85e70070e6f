namespace Shared.Syslog;

/// <summary>Why a frame was not accepted as a syslog message. <see cref="SyslogParseError"/> adds where.</summary>
public enum SyslogParseErrorCode : byte
{
    None = 0,
    EmptyMessage,
    PriMissing,
    PriNotANumber,
    PriLeadingZero,
    PriTooLarge,
    PriUnterminated,
    VersionInvalid,
    SpaceExpected,
    TimestampInvalid,
    TimestampOutOfRange,
    FieldEmpty,
    HostNameTooLong,
    AppNameTooLong,
    ProcIdTooLong,
    MsgIdTooLong,
    HeaderNotPrintable,
    StructuredDataMissing,
    SdNameInvalid,
    SdNameTooLong,
    SdParamEqualsExpected,
    SdParamQuoteExpected,
    SdValueUnterminated,
    SdValueInvalidUtf8,
    SdElementUnterminated,
    MessageInvalidUtf8,
}
