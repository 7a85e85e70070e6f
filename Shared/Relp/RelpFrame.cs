using System.Buffers;

namespace Shared.Relp;

/// <summary>
/// One RELP frame: <c>TXNR SP COMMAND SP DATALEN [SP DATA] TRAILER</c>. <see cref="Data"/> and <see cref="Name"/> point
/// into the reader's buffer and are only valid until it is advanced (<c>AdvanceTo</c>).
/// </summary>
/// <param name="Txnr">The transaction number (0 for hints).</param>
/// <param name="Command">The command, or <see cref="RelpCommand.Other"/> for a name librelp does not know.</param>
/// <param name="Name">The command's name as sent.</param>
/// <param name="Data">The data; empty for an oversize frame, whose data the reader skips.</param>
/// <param name="DataLength">DATALEN as announced.</param>
/// <param name="IsOversize">DATALEN was over the reader's limit: the data is not delivered (answer it with
/// 500).</param>
public readonly record struct RelpFrame(
    int Txnr,
    RelpCommand Command,
    ReadOnlySequence<byte> Name,
    ReadOnlySequence<byte> Data,
    int DataLength,
    bool IsOversize = false);
