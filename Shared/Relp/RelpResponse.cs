using System.Text;

namespace Shared.Relp;

/// <summary>
/// The data of an <c>rsp</c> frame: <c>RSP-CODE [SP HUMANMSG] LF [CMDDATA]</c>, read as librelp's <c>readRspHdr</c>
/// does (three digits, SP, then at most 80 bytes up to the first LF). An empty <c>rsp</c> is librelp's answer to
/// <c>close</c>.
/// </summary>
/// <param name="Code">200 is OK; every other code is an error (librelp sends 500).</param>
/// <param name="Message">The human-readable text (empty when none).</param>
/// <param name="Body">What follows the first LF: the offers of an <c>open</c> answer.</param>
public readonly record struct RelpResponse(int Code, string Message, ReadOnlyMemory<byte> Body)
{
    /// <summary>doc/relp.md: <c>HUMAN-TEXT = *80ALPHA</c>.</summary>
    public const int MaxMessageLength = 80;

    // The answer to nearly every syslog command, parsed once.
    private static readonly RelpResponse OkAnswer = new(200, "OK", default);

    public bool IsOk => Code == 200;

    /// <summary>
    /// Parses rsp data; false (with the reason) when it does not start with a three-digit code and SP.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out RelpResponse response, out string? error)
    {
        error = null;
        if (data.SequenceEqual("200 OK"u8))
        {
            response = OkAnswer;
            return true;
        }

        response = default;
        if (data.Length < 3 || !IsDigit(data[0]) || !IsDigit(data[1]) || !IsDigit(data[2]))
        {
            error = data.IsEmpty ? "empty response" : "response does not start with a three-digit code";
            return false;
        }

        int code = ((data[0] - '0') * 100) + ((data[1] - '0') * 10) + (data[2] - '0');
        var rest = data[3..];
        if (rest.IsEmpty)
        {
            // "200" alone: readRspHdr wants SP, but nothing is lost by taking the code.
            response = new RelpResponse(code, string.Empty, default);
            return true;
        }

        if (rest[0] != ' ')
        {
            error = "response code is not followed by SP";
            return false;
        }

        rest = rest[1..];
        int lf = rest.IndexOf((byte)'\n');
        var message = lf < 0 ? rest : rest[..lf];
        message = message[..Math.Min(message.Length, MaxMessageLength)];
        var body = lf < 0 ? default : rest[(lf + 1)..].ToArray();
        // "200 OK" answers every message: no string per answer for it.
        response = new RelpResponse(code, message.SequenceEqual("OK"u8) ? "OK" : Encoding.UTF8.GetString(message), body);
        return true;
    }

    public override string ToString() => Message.Length == 0 ? Code.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Code} {Message}";

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
