using System.Globalization;
using Forwarder.Discovery;
using Shared.Configuration;
using Shared.Syslog;

namespace Forwarder.Configuration;

/// <summary>
/// Reads <see cref="ForwarderOptions"/> from the <c>Forwarder</c> section and checks every value, collecting one
/// message per bad key in the form <c>Forwarder:Targets:0 must be …, was 'x'</c>, so an operator sees all mistakes at once.
/// </summary>
public static class ForwarderOptionsReader
{
    public static ForwarderOptions Read(IConfiguration configuration, out List<string> errors)
    {
        var section = configuration.GetSection(ForwarderOptions.Section);
        var defaults = new ForwarderOptions();
        var reader = new SettingsReader(ForwarderOptions.Section, key => section[key]);
        var found = reader.Errors;
        errors = found;

        // A list is Key:0, Key:1, … (appsettings arrays, repeated switches, Forwarder__Include__0) or one plain value.
        IReadOnlyList<T> GetList<T>(string key, IReadOnlyList<T> fallback, Func<string, (bool Ok, T Value, string? Why)> parse)
        {
            var list = section.GetSection(key);
            var items = list.Value is { } single
                ? [(reader.Key(key), single)]
                : list.GetChildren()
                    .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : int.MaxValue)
                    .Where(c => c.Value is not null)
                    .Select(c => ($"{reader.Key(key)}:{c.Key}", c.Value!))
                    .ToList();
            if (items.Count == 0)
            {
                return fallback;
            }

            var values = new List<T>();
            foreach (var (path, text) in items)
            {
                if (text.Trim().Length == 0)
                {
                    continue;
                }

                var (ok, value, why) = parse(text.Trim());
                if (ok)
                {
                    values.Add(value);
                }
                else
                {
                    found.Add($"{path} {why}, was '{text}'");
                }
            }

            return values;
        }

        static (bool, string, string?) Glob(string text)
        {
            try
            {
                GlobPattern.Parse(text);
                return (true, text, null);
            }
            catch (ArgumentException e)
            {
                return (false, text, $"must be an absolute glob ({e.Message})");
            }
        }

        static (bool, string, string?) Name(string text) => (text.Length > 0, text, "must not be empty");

        const string Duration = "a duration such as 500ms, 1s or 2m";
        var options = new ForwarderOptions
        {
            Include = GetList("Include", defaults.Include, Glob),
            Exclude = GetList("Exclude", defaults.Exclude, Glob),
            ExcludeNamespaces = GetList("ExcludeNamespaces", defaults.ExcludeNamespaces, Name),
            ExcludePods = GetList("ExcludePods", defaults.ExcludePods, Name),
            Targets = GetList("Targets", defaults.Targets, t => TargetUri.TryParse(t, out var target, out string? why) ? (true, target, null) : (false, target, why)),
            RelpWindowSize = reader.Get("RelpWindowSize", defaults.RelpWindowSize, t => ConfigValue.ParseInt(t, 1, 65536), "a whole number from 1 to 65536"),
            MaxRetryDelay = reader.Get("MaxRetryDelay", defaults.MaxRetryDelay, t => ConfigValue.ParseDuration(t) is (true, var d) && d >= TimeSpan.FromMilliseconds(200) && d <= TimeSpan.FromDays(1) ? (true, d) : (false, default), "a duration from 200ms to 1d"),
            State = reader.Get("State", defaults.State, t => (t.Length > 0, t), "a directory path"),
            Node = reader.Get("Node", defaults.Node, t => (t.Length > 0, t), "a node name"),
            Http = reader.Get("Http", defaults.Http, ConfigValue.ParseEndpoint, "HOST:PORT (an IP address, localhost or *, and a port 0-65535) or empty to disable"),
            StartAt = reader.Get("StartAt", defaults.StartAt, t => Enum.TryParse(t, ignoreCase: true, out StartPosition p) && !char.IsAsciiDigit(t[0]) ? (true, p) : (false, default), "beginning or end"),
            MaxLineSize = reader.Get("MaxLineSize", defaults.MaxLineSize, t => ConfigValue.TryParseSize(t, 1024, 64L << 20, out long v) ? (true, (int)v) : (false, 0), "a size from 1KiB to 64MiB"),
            QueueSize = reader.Get("QueueSize", defaults.QueueSize, t => ConfigValue.TryParseSize(t, 256 * 1024, 4L << 30, out long v) ? (true, v) : (false, 0L), "a size from 256KiB to 4GiB"),
            CheckpointInterval = reader.Get("CheckpointInterval", defaults.CheckpointInterval, t => Positive(t), Duration),
            ScanInterval = reader.Get("ScanInterval", defaults.ScanInterval, t => Positive(t), Duration),
            PartialFlushTimeout = reader.Get("PartialFlushTimeout", defaults.PartialFlushTimeout, t => Positive(t), Duration),
            RotateWait = reader.Get("RotateWait", defaults.RotateWait, ConfigValue.ParseDuration, "a duration such as 5s or 0"),
            Facility = reader.Get("Facility", defaults.Facility, ParseFacility, "a facility name (user, daemon, local0 … local7, …) or number 0-23"),
            StdoutSeverity = reader.Get("StdoutSeverity", defaults.StdoutSeverity, ParseSeverity, "a severity name (info, err, warning, …) or number 0-7"),
            StderrSeverity = reader.Get("StderrSeverity", defaults.StderrSeverity, ParseSeverity, "a severity name (info, err, warning, …) or number 0-7"),
            StructuredDataId = reader.Get("StructuredDataId", defaults.StructuredDataId, t => (IsSdId(t), t), "an SD-ID: name@enterprise-number, 1-32 printable characters without '=', ']', '\"' or space"),
            MaxDatagramSize = reader.Get("MaxDatagramSize", defaults.MaxDatagramSize, t => ConfigValue.ParseInt(t, 480, 65507), "a whole number from 480 to 65507"),
            LogFormat = reader.Get("LogFormat", defaults.LogFormat, SettingsReader.ParseLogFormat, SettingsReader.LogFormatRule),
            LogLevel = reader.Get("LogLevel", defaults.LogLevel, SettingsReader.ParseLogLevel, SettingsReader.LogLevelRule),
        };

        // An empty list is worth its own message only when no item of it was reported already.
        if (options.Include.Count == 0 && !found.Exists(e => e.StartsWith(reader.Key("Include"), StringComparison.Ordinal)))
        {
            found.Add($"{reader.Key("Include")} is empty: nothing would be tailed");
        }

        if (options.Targets.Count == 0 && !found.Exists(e => e.StartsWith(reader.Key("Targets"), StringComparison.Ordinal)))
        {
            found.Add($"{reader.Key("Targets")} is empty: nothing would be shipped");
        }

        return options;
    }

    private static (bool, TimeSpan) Positive(string text)
    {
        var (ok, value) = ConfigValue.ParseDuration(text);
        return (ok && value > TimeSpan.Zero, value);
    }

    private static readonly string[] FacilityNames =
        ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
         "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];

    private static readonly string[] SeverityNames = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    private static (bool, Facility) ParseFacility(string text)
    {
        int index = ConfigValue.ParseInt(text, 0, 23) is (true, int n) ? n : Array.IndexOf(FacilityNames, text.ToLowerInvariant());
        if (index < 0 && Enum.TryParse(text, ignoreCase: true, out Facility named) && !char.IsAsciiDigit(text[0]))
        {
            index = (int)named;
        }

        return index >= 0 ? (true, (Facility)index) : (false, default);
    }

    private static (bool, Severity) ParseSeverity(string text)
    {
        string lower = text.ToLowerInvariant();
        int index = ConfigValue.ParseInt(text, 0, 7) is (true, int n) ? n : Array.IndexOf(SeverityNames, lower switch
        {
            "error" => "err",
            "warn" => "warning",
            "critical" => "crit",
            "emergency" => "emerg",
            "informational" or "information" => "info",
            _ => lower,
        });
        return index >= 0 ? (true, (Severity)index) : (false, default);
    }

    // RFC 5424 §6.3.2: SD-NAME is 1-32 PRINTUSASCII except '=', SP, ']' and '"'.
    private static bool IsSdId(string text) =>
        text.Length is > 0 and <= 32 && text.All(c => c is > ' ' and <= '~' and not '=' and not ']' and not '"');
}
