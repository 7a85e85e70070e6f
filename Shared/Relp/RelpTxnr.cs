namespace Shared.Relp;

/// <summary>RELP transaction numbers: <c>TXNR = 1*9DIGIT</c>, 0 reserved for hints, commands from 1 up.</summary>
public static class RelpTxnr
{
    /// <summary>The hint txnr (<c>serverclose</c>).</summary>
    public const int Hint = 0;

    public const int First = 1;

    /// <summary>
    /// The largest nine-digit number; doc/relp.md: "latched at 999,999,999. After that TXNR, the next TXNR is 1".
    /// </summary>
    public const int Max = 999_999_999;

    /// <summary>
    /// The txnr after <paramref name="txnr"/>. librelp's <c>relpEngineNextTXNR</c> tests <c>txnr &gt; 999999999</c> and
    /// so would produce the ten-digit 1,000,000,000 its own framer rejects; we wrap as the specification says.
    /// </summary>
    public static int Next(int txnr) => txnr >= Max ? First : txnr + 1;
}
