namespace Shared.Configuration;

/// <summary>
/// Reads one program's settings key by key, keeping the default for a missing key and collecting one message per bad
/// value (<c>Section:Key must be …, was 'x'</c>) instead of stopping at the first, so an operator sees every mistake
/// at once. <paramref name="lookup"/> returns a key's raw text (e.g. <c>configuration.GetSection(section)[key]</c>);
/// <paramref name="children"/> a list key's items as (path below the section, text), e.g. <c>Targets:0</c>.
/// </summary>
public sealed class SettingsReader(
    string section,
    Func<string, string?> lookup,
    Func<string, IReadOnlyList<(string Path, string Text)>>? children = null)
{
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

    /// <summary>
    /// A list is <c>Key:0</c>, <c>Key:1</c>, … (appsettings arrays, repeated switches, <c>Section__Key__0</c>) or one
    /// plain value; blank items are skipped. <paramref name="parse"/> says why an item is bad (<c>must be …</c>).
    /// </summary>
    public IReadOnlyList<T> GetList<T>(string key, IReadOnlyList<T> fallback, Func<string, (bool Ok, T Value, string? Why)> parse)
    {
        IReadOnlyList<(string Path, string Text)> items = lookup(key) is { } single
            ? [(key, single)]
            : children?.Invoke(key) ?? [];
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
                Errors.Add($"{Key(path)} {why}, was '{text}'");
            }
        }

        return values;
    }
}
