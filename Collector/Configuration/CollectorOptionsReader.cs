using System.Globalization;
using System.Net;
using Collector.Storage;
using Serilog.Events;

namespace Collector.Configuration;

/// <summary>
/// Reads <see cref="CollectorOptions"/> from the <c>Collector</c> section and checks every value, collecting one
/// message per bad key in the form <c>Collector:MaxFiles must be …, was 'x'</c>, so an operator sees all mistakes at once.
/// </summary>
public static class CollectorOptionsReader
{
    public static CollectorOptions Read(IConfiguration configuration, out List<string> errors)
    {
        var section = configuration.GetSection(CollectorOptions.Section);
        var defaults = new CollectorOptions();
        var found = new List<string>();
        errors = found;

        T Get<T>(string key, T fallback, Func<string, (bool Ok, T Value)> parse, string expected)
        {
            string? text = section[key];
            if (text is null)
            {
                return fallback;
            }

            var (ok, value) = parse(text.Trim());
            if (!ok)
            {
                found.Add($"{CollectorOptions.Section}:{key} must be {expected}, was '{text}'");
                return fallback;
            }

            return value;
        }

        const string Endpoint = "HOST:PORT (an IP address, localhost or *, and a port 0-65535) or empty to disable";
        var options = new CollectorOptions
        {
            Tcp = Get("Tcp", defaults.Tcp, ParseEndpoint, Endpoint),
            Udp = Get("Udp", defaults.Udp, ParseEndpoint, Endpoint),
            Http = Get("Http", defaults.Http, ParseEndpoint, Endpoint),
            File = Get("File", defaults.File, t => (t.Length > 0, t), "a file path"),
            Format = Get("Format", defaults.Format, ParseFormat, "file, traditional or rfc5424"),
            MaxMessageSize = Get("MaxMessageSize", defaults.MaxMessageSize, t => InRange(t, 480, 64L * 1024 * 1024, out long v) ? (true, (int)v) : (false, 0), "a size from 480 bytes to 64MiB"),
            MaxConnections = Get("MaxConnections", defaults.MaxConnections, t => ParseInt(t, 1, 1_000_000), "a whole number from 1 to 1000000"),
            IdleTimeout = Get("IdleTimeout", defaults.IdleTimeout, ParseDuration, "a duration such as 30s, 10m or 0"),
            UdpReceiveBuffer = Get("UdpReceiveBuffer", defaults.UdpReceiveBuffer, t => InRange(t, 0, 1L << 30, out long v) ? (true, (int)v) : (false, 0), "a size up to 1GiB"),
            QueueSize = Get("QueueSize", defaults.QueueSize, t => InRange(t, 64 * 1024, 4L << 30, out long v) ? (true, v) : (false, 0L), "a size from 64KiB to 4GiB"),
            MaxFileSize = Get("MaxFileSize", defaults.MaxFileSize, t => InRange(t, 1024, long.MaxValue, out long v) ? (true, v) : (false, 0L), "a size of at least 1KiB"),
            MaxFiles = Get("MaxFiles", defaults.MaxFiles, t => ParseInt(t, 0, 1000), "a whole number from 0 to 1000"),
            Compress = Get("Compress", defaults.Compress, t => bool.TryParse(t, out bool b) ? (true, b) : (false, false), "true or false"),
            MaxTotalSize = Get("MaxTotalSize", defaults.MaxTotalSize, t => InRange(t, 0, long.MaxValue, out long v) ? (true, v) : (false, 0L), "a size (0 for no cap)"),
            FsyncInterval = Get("FsyncInterval", defaults.FsyncInterval, ParseDuration, "a duration such as 1s or 0"),
            LogFormat = Get("LogFormat", defaults.LogFormat, t => t.ToLowerInvariant() is "text" or "json" ? (true, t.ToLowerInvariant()) : (false, ""), "text or json"),
            LogLevel = Get("LogLevel", defaults.LogLevel, t => Enum.TryParse(t, ignoreCase: true, out LogEventLevel l) && Enum.IsDefined(l) && !int.TryParse(t, out _) ? (true, l) : (false, default), "Verbose, Debug, Information, Warning, Error or Fatal"),
            ApiToken = section["ApiToken"] is { Length: > 0 } token ? token.Trim() : null,
            ApiTokenFile = Get("ApiTokenFile", defaults.ApiTokenFile, t => (true, t.Length > 0 ? t : null), "a file path"),
            MaxTails = Get("MaxTails", defaults.MaxTails, t => ParseInt(t, 1, 10_000), "a whole number from 1 to 10000"),
            QueryTimeout = Get("QueryTimeout", defaults.QueryTimeout, t => ParseDuration(t) is (true, var d) && d > TimeSpan.Zero ? (true, d) : (false, default), "a duration such as 30s (not 0)"),
        };

        options = ReadApiToken(options, found);

        if (options.Tcp is null && options.Udp is null)
        {
            found.Add($"{CollectorOptions.Section}:Tcp and {CollectorOptions.Section}:Udp are both empty: nothing would be received");
        }

        if (options.Tcp is not null && options.Http is not null && options.Tcp.Port != 0 && options.Tcp.Equals(options.Http))
        {
            found.Add($"{CollectorOptions.Section}:Http must differ from {CollectorOptions.Section}:Tcp, was '{options.Http}'");
        }

        return options;
    }

    /// <summary>The token comes from the environment (<c>Collector__ApiToken</c>) or a file, not both; never from a switch (ps shows those).</summary>
    private static CollectorOptions ReadApiToken(CollectorOptions options, List<string> errors)
    {
        if (options.ApiTokenFile is not { } file)
        {
            return options;
        }

        if (options.ApiToken is not null)
        {
            errors.Add($"{CollectorOptions.Section}:ApiToken and {CollectorOptions.Section}:ApiTokenFile are both set: use one");
            return options;
        }

        try
        {
            string token = File.ReadAllText(file).Trim();
            if (token.Length > 0)
            {
                return options with { ApiToken = token };
            }

            errors.Add($"{CollectorOptions.Section}:ApiTokenFile must be a file holding the token, was '{file}' (empty)");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{CollectorOptions.Section}:ApiTokenFile must be a readable file holding the token, was '{file}' ({ex.Message})");
        }

        return options;
    }

    /// <summary><c>127.0.0.1:5514</c>, <c>[::1]:5514</c>, <c>localhost:5514</c>, <c>*:5514</c> or <c>0.0.0.0:5514</c>; empty is null.</summary>
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

    /// <summary>Bytes, or a number with a binary unit: <c>64KiB</c>, <c>8m</c>, <c>2GB</c> (all powers of 1024).</summary>
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
                && double.TryParse(text.AsSpan(0, text.Length - unit.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n)
                && !(unit == "m" && text.EndsWith("ms", StringComparison.Ordinal))
                && n * scale < TimeSpan.MaxValue.TotalMilliseconds)
            {
                return (true, TimeSpan.FromMilliseconds(n * scale));
            }
        }

        return (false, default);
    }

    private static bool InRange(string text, long min, long max, out long value) =>
        TryParseSize(text, out value) && value >= min && value <= max;

    private static (bool, int) ParseInt(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max ? (true, v) : (false, 0);

    private static (bool, LineFormat) ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "file" => (true, LineFormat.File),
        "traditional" => (true, LineFormat.Traditional),
        "rfc5424" => (true, LineFormat.Rfc5424),
        _ => (false, default),
    };
}
