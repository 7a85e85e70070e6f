using System.Globalization;

namespace Soak;

/// <summary>
/// Resident memory split the way the kernel counts it (/proc/PID/status): anonymous pages (the GC's heap, native
/// allocations, thread stacks) and file pages (the mapped binary's code and data, dropped only under memory
/// pressure).
/// </summary>
internal readonly record struct ResidentSplit(long AnonymousBytes, long FileBytes)
{
    public static ResidentSplit Of(int pid)
    {
        long anonymous = 0, file = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anonymous = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
            {
                file = Kilobytes(line) * 1024;
            }
        }

        return new ResidentSplit(anonymous, file);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
