using System.Globalization;
using System.Net;

namespace Shared.Configuration;

/// <summary>
/// Parsers for the value syntaxes both programs accept in appsettings, environment variables and switches:
/// sizes (<c>64KiB</c>), durations (<c>500ms</c>) and listen endpoints (<c>127.0.0.1:5514</c>).
/// </summary>
public static class ConfigValue
{
    /// <summary>
    /// <c>127.0.0.1:5514</c>, <c>[::1]:5514</c>, <c>localhost:5514</c>, <c>*:5514</c> or <c>0.0.0.0:5514</c>; empty is
    /// null.
    /// </summary>
    public static (bool Ok, IPEndPoint? Value) ParseEndpoint(string text)
    {
        if (text.Length == 0)
        {
            return (true, null);
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            return (false, null);
        }

        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        IPAddress? address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var a) ? a : null,
        };
        return address is null ? (false, null) : (true, new IPEndPoint(address, port));
    }

    /// <summary>
    /// Bytes, or a number with a binary unit: <c>64KiB</c>, <c>8m</c>, <c>2GB</c> (all powers of 1024).
    /// </summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        int end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        if (end == 0 || !long.TryParse(text.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
        {
            return false;
        }

        int shift = text[end..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0 || number > long.MaxValue >> shift)
        {
            return false;
        }

        bytes = number << shift;
        return true;
    }

    /// <summary>A size within <paramref name="min"/>..<paramref name="max"/> bytes.</summary>
    public static bool TryParseSize(string text, long min, long max, out long bytes) =>
        TryParseSize(text, out bytes) && bytes >= min && bytes <= max;

    /// <summary><c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>1h</c>, <c>0</c> or <c>hh:mm:ss</c>.</summary>
    public static (bool Ok, TimeSpan Value) ParseDuration(string text)
    {
        if (text == "0")
        {
            return (true, TimeSpan.Zero);
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var t) && t >= TimeSpan.Zero ? (true, t) : (false, default);
        }

        (string unit, double scale)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];
        foreach (var (unit, scale) in units)
        {
            // The last test: double.TryParse also takes "NaN", "Infinity" and numbers past TimeSpan.MaxValue, on which
            // TimeSpan.FromMilliseconds throws instead of the reader reporting the bad value.
            if (text.EndsWith(unit, StringComparison.Ordinal)
                && double.TryParse(
                    text.AsSpan(0, text.Length - unit.Length),
                    NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture,
                    out double n)
                && !(unit == "m" && text.EndsWith("ms", StringComparison.Ordinal))
                && n * scale < TimeSpan.MaxValue.TotalMilliseconds)
            {
                return (true, TimeSpan.FromMilliseconds(n * scale));
            }
        }

        return (false, default);
    }

    public static (bool Ok, int Value) ParseInt(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max ? (true, v) : (false, 0);
}
