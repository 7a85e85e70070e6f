namespace Shared.Syslog;

/// <summary>Syslog severity codes, RFC 5424 §6.2.1 table 2 (lower is more severe).</summary>
public enum Severity : byte
{
    Emergency = 0,
    Alert = 1,
    Critical = 2,
    Error = 3,
    Warning = 4,
    Notice = 5,
    Informational = 6,
    Debug = 7,
}
