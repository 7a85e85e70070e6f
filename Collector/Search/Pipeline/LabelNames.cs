using System.Text;

namespace Collector.Search.Pipeline;

/// <summary>
/// Loki's label-name rules for extracted keys (pkg/logql/log/util.go): white space trimmed, every character other than
/// <c>[a-zA-Z0-9_]</c> becomes <c>_</c> (one per character, not per byte), a leading digit gets a <c>_</c> in front.
/// </summary>
public static class LabelNames
{
    /// <summary><c>sanitizeLabelKey(key, true)</c>; empty when nothing is left.</summary>
    public static string Sanitize(string key)
    {
        var builder = new StringBuilder(key.Length + 1);
        Append(builder, key);
        return builder.ToString();
    }

    /// <summary>
    /// <c>appendSanitized</c>: one more part of a flattened JSON key, joined with <c>_</c> (empty parts are
    /// skipped).
    /// </summary>
    public static void AppendPart(StringBuilder to, string part)
    {
        if (part.AsSpan().Trim().IsEmpty)
        {
            return;
        }

        if (to.Length > 0)
        {
            to.Append('_');
        }

        Append(to, part);
    }

    public static bool IsValid(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static void Append(StringBuilder to, string key)
    {
        var trimmed = key.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return;
        }

        if (to.Length == 0 && char.IsAsciiDigit(trimmed[0]))
        {
            to.Append('_');
        }

        foreach (var rune in trimmed.EnumerateRunes())
        {
            to.Append(rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value == '_') ? (char)rune.Value : '_');
        }
    }
}
