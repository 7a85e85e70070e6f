using Serilog.Events;

namespace Shared.Configuration;

/// <summary>
/// Reads one program's settings key by key, keeping the default for a missing key and collecting one message per bad
/// value (<c>Section:Key must be …, was 'x'</c>) instead of stopping at the first, so an operator sees every mistake
/// at once. <paramref name="lookup"/> returns a key's raw text (e.g. <c>configuration.GetSection(section)[key]</c>).
/// </summary>
public sealed class SettingsReader(string section, Func<string, string?> lookup)
{
    public const string LogFormatRule = "text or json";
    public const string LogLevelRule = "Verbose, Debug, Information, Warning, Error or Fatal";

    public List<string> Errors { get; } = [];

    /// <summary>The full configuration key, <c>Section:Key</c>.</summary>
    public string Key(string key) => $"{section}:{key}";

    public T Get<T>(string key, T fallback, Func<string, (bool Ok, T Value)> parse, string expected)
    {
        string? text = lookup(key);
        if (text is null)
        {
            return fallback;
        }

        var (ok, value) = parse(text.Trim());
        if (!ok)
        {
            Errors.Add($"{Key(key)} must be {expected}, was '{text}'");
            return fallback;
        }

        return value;
    }

    /// <summary><c>text</c> or <c>json</c>, in any case, lower-cased.</summary>
    public static (bool Ok, string Value) ParseLogFormat(string text) =>
        text.ToLowerInvariant() is "text" or "json" ? (true, text.ToLowerInvariant()) : (false, "");

    /// <summary>A Serilog level name in any case; numbers are refused (Enum.TryParse would take them).</summary>
    public static (bool Ok, LogEventLevel Value) ParseLogLevel(string text) =>
        Enum.TryParse(text, ignoreCase: true, out LogEventLevel level) && Enum.IsDefined(level) && !int.TryParse(text, out _) ? (true, level) : (false, default);
}
