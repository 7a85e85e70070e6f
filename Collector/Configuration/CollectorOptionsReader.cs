using Collector.Storage;
using Shared.Configuration;

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
        var reader = new SettingsReader(CollectorOptions.Section, key => section[key]);
        var found = reader.Errors;
        errors = found;

        const string Endpoint = "HOST:PORT (an IP address, localhost or *, and a port 0-65535) or empty to disable";
        var options = new CollectorOptions
        {
            Tcp = reader.Get("Tcp", defaults.Tcp, ConfigValue.ParseEndpoint, Endpoint),
            Udp = reader.Get("Udp", defaults.Udp, ConfigValue.ParseEndpoint, Endpoint),
            Relp = reader.Get("Relp", defaults.Relp, ConfigValue.ParseEndpoint, Endpoint),
            RelpAckAfter = reader.Get("RelpAckAfter", defaults.RelpAckAfter, ParseAckAfter, "write or fsync"),
            Http = reader.Get("Http", defaults.Http, ConfigValue.ParseEndpoint, Endpoint),
            File = reader.Get("File", defaults.File, t => (t.Length > 0, t), "a file path"),
            Format = reader.Get("Format", defaults.Format, ParseFormat, "file, traditional or rfc5424"),
            MaxMessageSize = reader.Get("MaxMessageSize", defaults.MaxMessageSize, t => InRange(t, 480, 64L * 1024 * 1024, out long v) ? (true, (int)v) : (false, 0), "a size from 480 bytes to 64MiB"),
            MaxConnections = reader.Get("MaxConnections", defaults.MaxConnections, t => ConfigValue.ParseInt(t, 1, 1_000_000), "a whole number from 1 to 1000000"),
            IdleTimeout = reader.Get("IdleTimeout", defaults.IdleTimeout, ConfigValue.ParseDuration, "a duration such as 30s, 10m or 0"),
            UdpReceiveBuffer = reader.Get("UdpReceiveBuffer", defaults.UdpReceiveBuffer, t => InRange(t, 0, 1L << 30, out long v) ? (true, (int)v) : (false, 0), "a size up to 1GiB"),
            QueueSize = reader.Get("QueueSize", defaults.QueueSize, t => InRange(t, 64 * 1024, 4L << 30, out long v) ? (true, v) : (false, 0L), "a size from 64KiB to 4GiB"),
            MaxFileSize = reader.Get("MaxFileSize", defaults.MaxFileSize, t => InRange(t, 1024, long.MaxValue, out long v) ? (true, v) : (false, 0L), "a size of at least 1KiB"),
            MaxFiles = reader.Get("MaxFiles", defaults.MaxFiles, t => ConfigValue.ParseInt(t, 0, 1000), "a whole number from 0 to 1000"),
            Compress = reader.Get("Compress", defaults.Compress, t => bool.TryParse(t, out bool b) ? (true, b) : (false, false), "true or false"),
            MaxTotalSize = reader.Get("MaxTotalSize", defaults.MaxTotalSize, t => InRange(t, 0, long.MaxValue, out long v) ? (true, v) : (false, 0L), "a size (0 for no cap)"),
            FsyncInterval = reader.Get("FsyncInterval", defaults.FsyncInterval, ConfigValue.ParseDuration, "a duration such as 1s or 0"),
            LogFormat = reader.Get("LogFormat", defaults.LogFormat, SettingsReader.ParseLogFormat, SettingsReader.LogFormatRule),
            LogLevel = reader.Get("LogLevel", defaults.LogLevel, SettingsReader.ParseLogLevel, SettingsReader.LogLevelRule),
            ApiToken = section["ApiToken"] is { Length: > 0 } token ? token.Trim() : null,
            ApiTokenFile = reader.Get("ApiTokenFile", defaults.ApiTokenFile, t => (true, t.Length > 0 ? t : null), "a file path"),
            MaxTails = reader.Get("MaxTails", defaults.MaxTails, t => ConfigValue.ParseInt(t, 1, 10_000), "a whole number from 1 to 10000"),
            Relays = reader.Get("Relays", defaults.Relays, ParseDirectory, "a directory (or a path where one can be created), or empty for none"),
            RelaySpill = reader.Get("RelaySpill", defaults.RelaySpill, ParseDirectory, "a directory (or a path where one can be created)"),
            QueryTimeout = reader.Get("QueryTimeout", defaults.QueryTimeout, t => ConfigValue.ParseDuration(t) is (true, var d) && d > TimeSpan.Zero ? (true, d) : (false, default), "a duration such as 30s (not 0)"),
        };

        options = ReadApiToken(options, found);

        if (options.Tcp is null && options.Udp is null && options.Relp is null)
        {
            found.Add($"{CollectorOptions.Section}:Tcp, {CollectorOptions.Section}:Udp and {CollectorOptions.Section}:Relp are all empty: nothing would be received");
        }

        // Kestrel serves TCP, RELP and HTTP: no two may ask for the same address and port.
        (string Key, System.Net.IPEndPoint? EndPoint)[] kestrel = [("Tcp", options.Tcp), ("Relp", options.Relp), ("Http", options.Http)];
        for (int i = 1; i < kestrel.Length; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (kestrel[i].EndPoint is { Port: not 0 } a && a.Equals(kestrel[j].EndPoint))
                {
                    found.Add($"{CollectorOptions.Section}:{kestrel[i].Key} must differ from {CollectorOptions.Section}:{kestrel[j].Key}, was '{a}'");
                }
            }
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

    private static bool InRange(string text, long min, long max, out long value) => ConfigValue.TryParseSize(text, min, max, out value);

    private static (bool, RelpAckAfter) ParseAckAfter(string text) => text.ToLowerInvariant() switch
    {
        "write" => (true, RelpAckAfter.Write),
        "fsync" => (true, RelpAckAfter.Fsync),
        _ => (false, default),
    };

    private static (bool, LineFormat) ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "file" => (true, LineFormat.File),
        "traditional" => (true, LineFormat.Traditional),
        "rfc5424" => (true, LineFormat.Rfc5424),
        _ => (false, default),
    };

    /// <summary>A directory, or a path where one can be created: nothing on the way to it may be a file.</summary>
    private static (bool, string?) ParseDirectory(string text)
    {
        if (text.Length == 0)
        {
            return (true, null);
        }

        for (string? path = Path.GetFullPath(text); !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
        {
            if (Directory.Exists(path))
            {
                return (true, text);
            }

            if (File.Exists(path))
            {
                return (false, null);
            }
        }

        return (true, text);
    }
}
