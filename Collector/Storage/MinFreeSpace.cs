using System.Globalization;
using Shared.Configuration;

namespace Collector.Storage;

/// <summary>
/// How much of the messages file's volume to keep free (<c>--min-free</c>), as journald's <c>SystemKeepFree</c>: a
/// size, a percentage of the volume, or both, in which case the smaller one counts. Zero (either way) disables it.
/// </summary>
public readonly record struct MinFreeSpace(long? Bytes, int? Percent)
{
    public const int MaxPercent = 90;

    /// <summary>1 GiB or 5 % of the volume, whichever is smaller: 5 % of a 20 GiB volume is 1 GiB.</summary>
    public static MinFreeSpace Default { get; } = new(1L << 30, 5);

    public static MinFreeSpace Disabled { get; } = new(0, null);

    public const string Rule = "a size such as 512MiB, a percentage of the volume from 0 to 90 such as 5%, or 0 to disable";

    public bool Enabled => Bytes is not 0 && Percent is not 0 && (Bytes is not null || Percent is not null);

    /// <summary>The bytes to keep free on a volume of <paramref name="volumeSize"/> bytes (0 when disabled).</summary>
    public long For(long volumeSize)
    {
        if (!Enabled)
        {
            return 0;
        }

        long bytes = Bytes ?? long.MaxValue;
        long share = Percent is { } p ? (long)(volumeSize * (p / 100.0)) : long.MaxValue;
        return Math.Min(bytes, share);
    }

    /// <summary><c>512MiB</c>, <c>5%</c>, <c>0</c>.</summary>
    public static (bool Ok, MinFreeSpace Value) Parse(string text)
    {
        text = text.Trim();
        if (text.EndsWith('%'))
        {
            return int.TryParse(text.AsSpan(0, text.Length - 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= MaxPercent
                ? (true, new MinFreeSpace(null, p))
                : (false, default);
        }

        return ConfigValue.TryParseSize(text, 0, long.MaxValue, out long bytes) ? (true, new MinFreeSpace(bytes, null)) : (false, default);
    }

    public override string ToString() => (Bytes, Percent) switch
    {
        _ when !Enabled => "0",
        ({ } b, { } p) => $"{b} bytes or {p}% of the volume, whichever is smaller",
        ({ } b, null) => $"{b} bytes",
        (null, { } p) => $"{p}% of the volume",
        _ => "0",
    };
}
