using System.Diagnostics.CodeAnalysis;

namespace Forwarder.Parsing;

/// <summary>The container stream a log entry was written to.</summary>
[SuppressMessage("Naming", "CA1711", Justification = "stdout and stderr are streams; the name is the forwarder's contract.")]
public enum LogStream : byte
{
    Stdout,
    Stderr,

    /// <summary>Plain files and malformed lines, which name no stream.</summary>
    Unknown,
}
