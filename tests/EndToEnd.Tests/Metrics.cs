using System.Globalization;

namespace EndToEnd.Tests;

/// <summary>Reads values out of Prometheus text.</summary>
public static class Metrics
{
    /// <summary>The sum of every series of <paramref name="name"/> (any labels), or 0 when it has none.</summary>
    public static double Sum(string text, string name)
    {
        double sum = 0;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            string rest = line[name.Length..];
            if (rest.StartsWith('{') || rest.StartsWith(' '))
            {
                sum += double.Parse(rest[(rest.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}
