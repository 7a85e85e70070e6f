using System.Globalization;

namespace Chaos;

/// <summary>
/// The text of the chaos run's log lines: <c>chaos FF-NNNNNNNNN …</c>, numbered per container log from 0.
/// </summary>
public static class ChaosLine
{
    public static string Text(int file, long n) =>
        string.Create(CultureInfo.InvariantCulture, $"chaos {file:D2}-{n:D9} GET /api/v1/orders?page={n % 97} 200 12ms user=4711 \"ok\"");

    /// <summary>
    /// The container log and number of a line written by <see cref="Text"/>, or null for any other text.
    /// </summary>
    public static (int File, long N)? Parse(ReadOnlySpan<char> text)
    {
        if (!text.StartsWith("chaos ") || text.Length < 18 || text[8] != '-'
            || !int.TryParse(text.Slice(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int file)
            || !long.TryParse(text.Slice(9, 9), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
        {
            return null;
        }

        return (file, n);
    }
}
