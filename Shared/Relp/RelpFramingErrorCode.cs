namespace Shared.Relp;

/// <summary>
/// Why a byte stream is not RELP. librelp aborts the session on each of these (RELP_RET_INVALID_FRAME).
/// </summary>
public enum RelpFramingErrorCode : byte
{
    None = 0,

    /// <summary>
    /// A frame does not start with a digit (garbage, or another protocol such as plain syslog or HTTP).
    /// </summary>
    TxnrExpected,

    /// <summary>TXNR has more than nine digits.</summary>
    TxnrTooLong,

    /// <summary>COMMAND is empty or holds something other than letters.</summary>
    CommandInvalid,

    /// <summary>COMMAND has more than 32 letters.</summary>
    CommandTooLong,

    /// <summary>DATALEN is empty or holds a non-digit.</summary>
    DataLengthInvalid,

    /// <summary>DATALEN has more than nine digits.</summary>
    DataLengthTooLong,

    /// <summary>A field is not followed by SP (or, after a nonzero DATALEN, no SP before the data).</summary>
    SpaceExpected,

    /// <summary>The byte after the data is not the LF trailer: the DATALEN was wrong.</summary>
    TrailerExpected,
}
