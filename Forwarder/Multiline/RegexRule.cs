using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Forwarder.Multiline;

/// <summary>
/// A user's rule: lines matching <c>start</c> begin an event (every other line continues it), or lines matching
/// <c>continuation</c> continue one (every other line begins one). The expression is the user's, so it runs with a
/// timeout; a line that times out counts as not matching, and is counted.
/// </summary>
public sealed class RegexRule(Regex pattern, bool matchesStart) : MultilineRule
{
    /// <summary>Per line: far above any sane pattern's time, far below a stall of the tailing loop.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(50);

    private static long _timeouts;

    /// <summary>Lines whose match timed out, in all rules of the process.</summary>
    public static long Timeouts => Interlocked.Read(ref _timeouts);

    public override LineVerdict Classify(ReadOnlySpan<byte> line, EventMode mode, out EventMode next)
    {
        next = EventMode.None;
        return IsMatch(line) == matchesStart ? LineVerdict.Start : LineVerdict.Continue;
    }

    public override EventMode StartMode(ReadOnlySpan<byte> line) => EventMode.None;

    private bool IsMatch(ReadOnlySpan<byte> line)
    {
        char[] chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(line.Length));
        try
        {
            int length = Encoding.UTF8.GetChars(line, chars);
            return pattern.IsMatch(chars.AsSpan(0, length));
        }
        catch (RegexMatchTimeoutException)
        {
            Interlocked.Increment(ref _timeouts);
            return false;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
