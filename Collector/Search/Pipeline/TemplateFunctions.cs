using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Collector.Search.Pipeline;

/// <summary>
/// The functions of <see cref="GoTemplate"/>: Loki's own (pkg/logql/log/fmt.go <c>functionMap</c>), the sprig ones
/// Loki enables that people use, Go's builtins, and <c>toJson</c> (an addition: a JSON string literal, for building
/// JSON lines). Argument order is Go's and sprig's: the value a pipe hands on is the last argument.
/// </summary>
public static class TemplateFunctions
{
    private const int MaxRegexLength = 1024;

    private delegate object? Function(IReadOnlyList<object?> args, PipelineLine line);

    private static readonly Dictionary<string, (int Min, int Max, Function Call)> Functions = new(StringComparer.Ordinal)
    {
        // Loki's functionMap: Go's strings package, argument order (s, …).
        ["ToLower"] = (1, 1, (a, _) => Str(a[0]).ToLowerInvariant()),
        ["ToUpper"] = (1, 1, (a, _) => Str(a[0]).ToUpperInvariant()),
        ["Replace"] = (4, 4, (a, _) => GoReplace(Str(a[0]), Str(a[1]), Str(a[2]), (int)Int(a[3]))),
        ["Trim"] = (2, 2, (a, _) => Str(a[0]).Trim(Str(a[1]).ToCharArray())),
        ["TrimLeft"] = (2, 2, (a, _) => Str(a[0]).TrimStart(Str(a[1]).ToCharArray())),
        ["TrimRight"] = (2, 2, (a, _) => Str(a[0]).TrimEnd(Str(a[1]).ToCharArray())),
        ["TrimPrefix"] = (2, 2, (a, _) => TrimPrefix(Str(a[0]), Str(a[1]))),
        ["TrimSuffix"] = (2, 2, (a, _) => TrimSuffix(Str(a[0]), Str(a[1]))),
        ["TrimSpace"] = (1, 1, (a, _) => Str(a[0]).Trim()),
        ["regexReplaceAll"] = (3, 3, (a, _) => Compile(Str(a[0])).Replace(Str(a[1]), GoReplacement(Str(a[2])))),
        ["regexReplaceAllLiteral"] = (3, 3, (a, _) => Compile(Str(a[0])).Replace(Str(a[1]), Str(a[2]).Replace("$", "$$", StringComparison.Ordinal))),
        ["count"] = (2, 2, (a, _) => (long)Compile(Str(a[0])).Count(Str(a[1]))),
        ["urlencode"] = (1, 1, (a, _) => Uri.EscapeDataString(Str(a[0])).Replace("%20", "+", StringComparison.Ordinal)),
        ["urldecode"] = (1, 1, (a, _) => Uri.UnescapeDataString(Str(a[0]).Replace('+', ' '))),
        ["b64enc"] = (1, 1, (a, _) => Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(a[0])))),
        ["b64dec"] = (1, 1, (a, _) => Base64Decode(Str(a[0]))),
        ["alignLeft"] = (2, 2, (a, _) => Align(Str(a[1]), (int)Int(a[0]), left: true)),
        ["alignRight"] = (2, 2, (a, _) => Align(Str(a[1]), (int)Int(a[0]), left: false)),
        ["__line__"] = (0, 0, (_, line) => line.Line),
        ["__timestamp__"] = (0, 0, (_, line) =>
            DateTimeOffset.FromUnixTimeMilliseconds(line.TimeNs / 1_000_000).AddTicks(line.TimeNs % 1_000_000 / 100)),
        ["unixEpoch"] = (1, 1, (a, _) => a[0] is DateTimeOffset t ? t.ToUnixTimeSeconds() : throw new TemplateException("unixEpoch needs a time")),
        ["unixEpochMillis"] = (1, 1, (a, _) =>
            a[0] is DateTimeOffset t ? t.ToUnixTimeMilliseconds() : throw new TemplateException("unixEpochMillis needs a time")),
        ["bytes"] = (1, 1, (a, _) => HumanBytes.TryParse(Str(a[0]), out ulong b, out string _) ? (double)b : 0.0),
        ["duration"] = (1, 1, (a, _) => GoDuration.TryParse(Str(a[0]), allowDays: false, out long ns) ? ns / 1e9 : 0.0),
        ["duration_seconds"] = (1, 1, (a, _) => GoDuration.TryParse(Str(a[0]), allowDays: false, out long ns) ? ns / 1e9 : 0.0),

        // sprig: the value last.
        ["lower"] = (1, 1, (a, _) => Str(a[0]).ToLowerInvariant()),
        ["upper"] = (1, 1, (a, _) => Str(a[0]).ToUpperInvariant()),
        ["title"] = (1, 1, (a, _) => Title(Str(a[0]))),
        ["trunc"] = (2, 2, (a, _) => Trunc((int)Int(a[0]), Str(a[1]))),
        ["substr"] = (3, 3, (a, _) => Substr((int)Int(a[0]), (int)Int(a[1]), Str(a[2]))),
        ["contains"] = (2, 2, (a, _) => Str(a[1]).Contains(Str(a[0]), StringComparison.Ordinal)),
        ["hasPrefix"] = (2, 2, (a, _) => Str(a[1]).StartsWith(Str(a[0]), StringComparison.Ordinal)),
        ["hasSuffix"] = (2, 2, (a, _) => Str(a[1]).EndsWith(Str(a[0]), StringComparison.Ordinal)),
        ["indent"] = (2, 2, (a, _) => Indent((int)Int(a[0]), Str(a[1]))),
        ["nindent"] = (2, 2, (a, _) => "\n" + Indent((int)Int(a[0]), Str(a[1]))),
        ["replace"] = (3, 3, (a, _) => GoReplace(Str(a[2]), Str(a[0]), Str(a[1]), -1)),
        ["repeat"] = (2, 2, (a, _) => string.Concat(Enumerable.Repeat(Str(a[1]), Math.Clamp((int)Int(a[0]), 0, 10_000)))),
        ["trim"] = (1, 1, (a, _) => Str(a[0]).Trim()),
        ["trimAll"] = (2, 2, (a, _) => Str(a[1]).Trim(Str(a[0]).ToCharArray())),
        ["trimPrefix"] = (2, 2, (a, _) => TrimPrefix(Str(a[1]), Str(a[0]))),
        ["trimSuffix"] = (2, 2, (a, _) => TrimSuffix(Str(a[1]), Str(a[0]))),
        ["int"] = (1, 1, (a, _) => Int(a[0])),
        ["float64"] = (1, 1, (a, _) => Float(a[0])),
        ["add"] = (2, 2, (a, _) => Int(a[0]) + Int(a[1])),
        ["sub"] = (2, 2, (a, _) => Int(a[0]) - Int(a[1])),
        ["mul"] = (2, 2, (a, _) => Int(a[0]) * Int(a[1])),
        ["div"] = (2, 2, (a, _) => Int(a[1]) == 0 ? throw new TemplateException("runtime error: integer divide by zero") : Int(a[0]) / Int(a[1])),
        ["mod"] = (2, 2, (a, _) => Int(a[1]) == 0 ? throw new TemplateException("runtime error: integer divide by zero") : Int(a[0]) % Int(a[1])),
        ["addf"] = (2, 2, (a, _) => Float(a[0]) + Float(a[1])),
        ["subf"] = (2, 2, (a, _) => Float(a[0]) - Float(a[1])),
        ["mulf"] = (2, 2, (a, _) => Float(a[0]) * Float(a[1])),
        ["divf"] = (2, 2, (a, _) => Float(a[0]) / Float(a[1])),
        ["max"] = (2, 2, (a, _) => Math.Max(Int(a[0]), Int(a[1]))),
        ["min"] = (2, 2, (a, _) => Math.Min(Int(a[0]), Int(a[1]))),
        ["maxf"] = (2, 2, (a, _) => Math.Max(Float(a[0]), Float(a[1]))),
        ["minf"] = (2, 2, (a, _) => Math.Min(Float(a[0]), Float(a[1]))),
        ["ceil"] = (1, 1, (a, _) => Math.Ceiling(Float(a[0]))),
        ["floor"] = (1, 1, (a, _) => Math.Floor(Float(a[0]))),
        ["round"] = (2, 3, (a, _) => Math.Round(Float(a[0]), (int)Math.Clamp(Int(a[1]), 0, 15), MidpointRounding.AwayFromZero)),
        ["default"] = (2, 2, (a, _) => Truth(a[1]) ? a[1] : a[0]),
        ["toJson"] = (1, 1, (a, _) => "\"" + JsonEncodedText.Encode(Print(a[0]), JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\""),

        // Go's builtins.
        ["printf"] = (1, 64, (a, _) => GoFormat.Sprintf(Str(a[0]), a.Skip(1).ToList())),
        ["print"] = (0, 64, (a, _) => string.Concat(a.Select(Print))),
        ["len"] = (1, 1, (a, _) => (long)Str(a[0]).Length),
        ["not"] = (1, 1, (a, _) => !Truth(a[0])),
        ["and"] = (1, 64, (a, _) => a.FirstOrDefault(x => !Truth(x), a[^1])),
        ["or"] = (1, 64, (a, _) => a.FirstOrDefault(Truth, a[^1])),
        ["eq"] = (2, 64, (a, _) => a.Skip(1).Any(x => Equal(a[0], x))),
        ["ne"] = (2, 2, (a, _) => !Equal(a[0], a[1])),
        ["lt"] = (2, 2, (a, _) => Order(a[0], a[1]) < 0),
        ["le"] = (2, 2, (a, _) => Order(a[0], a[1]) <= 0),
        ["gt"] = (2, 2, (a, _) => Order(a[0], a[1]) > 0),
        ["ge"] = (2, 2, (a, _) => Order(a[0], a[1]) >= 0),
    };

    public static IEnumerable<string> Names => Functions.Keys.Order(StringComparer.Ordinal);

    public static bool IsDefined(string name) => Functions.ContainsKey(name);

    public static object? Call(string name, IReadOnlyList<object?> args, PipelineLine line)
    {
        var (min, max, call) = Functions[name];
        if (args.Count < min || args.Count > max)
        {
            string want = min == max ? min.ToString(CultureInfo.InvariantCulture) : $"{min} to {max}";
            throw new TemplateException($"wrong number of args for {name}: want {want} got {args.Count}");
        }

        return call(args, line);
    }

    /// <summary>Go's fmt %v of a template value.</summary>
    public static string Print(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => GoFormat.FormatFloat(d),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + " +0000 UTC",
        IDictionary<string, string> m =>
            "map[" + string.Join(' ', m.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value}")) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Go's truth: false, 0, "" and nothing are false.</summary>
    public static bool Truth(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        _ => true,
    };

    private static string Str(object? value) => Print(value);

    /// <summary>sprig's toInt64 (cast.ToInt64): numbers truncated, strings parsed (0 when they do not parse).</summary>
    private static long Int(object? value) => value switch
    {
        long l => l,
        double d => (long)d,
        bool b => b ? 1 : 0,
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) => l,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => (long)d,
        _ => 0,
    };

    private static double Float(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => 0,
    };

    private static bool Equal(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x == y,
        (double or long, double or long) => Float(a) == Float(b),
        _ => Print(a) == Print(b),
    };

    private static int Order(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (double or long, double or long) => Float(a).CompareTo(Float(b)),
        (string x, string y) => string.CompareOrdinal(x, y),
        _ => throw new TemplateException("incompatible types for comparison"),
    };

    private static Regex Compile(string pattern)
    {
        if (pattern.Length > MaxRegexLength)
        {
            throw new TemplateException($"the regex is longer than {MaxRegexLength} characters");
        }

        try
        {
            return new Regex(
                RegexSyntax.FromGo(pattern), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, QueryParser.RegexMatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw new TemplateException($"error parsing regexp: {ex.Message}");
        }
        catch (NotSupportedException ex)
        {
            throw new TemplateException($"regex not supported: {ex.Message}");
        }
    }

    /// <summary>
    /// Go's <c>$1</c>/<c>${name}</c> expansion is .NET's, but Go reads <c>$1x</c> as the group <c>1x</c>.
    /// </summary>
    private static string GoReplacement(string replacement) => replacement;

    private static string GoReplace(string s, string old, string replacement, int n)
    {
        if (n < 0)
        {
            return old.Length == 0 ? s : s.Replace(old, replacement, StringComparison.Ordinal);
        }

        var builder = new StringBuilder();
        int at = 0;
        for (int k = 0; k < n; k++)
        {
            int hit = s.IndexOf(old, at, StringComparison.Ordinal);
            if (hit < 0 || old.Length == 0)
            {
                break;
            }

            builder.Append(s, at, hit - at).Append(replacement);
            at = hit + old.Length;
        }

        return builder.Append(s, at, s.Length - at).ToString();
    }

    private static string TrimPrefix(string s, string prefix) =>
        prefix.Length > 0 && s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;

    private static string TrimSuffix(string s, string suffix) =>
        suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;

    /// <summary>sprig's trunc: the first c characters, or the last -c when c is negative.</summary>
    private static string Trunc(int c, string s) => c < 0 ? (s.Length + c > 0 ? s[(s.Length + c)..] : s) : (s.Length > c ? s[..c] : s);

    private static string Substr(int start, int end, string s)
    {
        if (start < 0)
        {
            return s[..Math.Clamp(end, 0, s.Length)];
        }

        if (end < 0 || end > s.Length)
        {
            return start <= s.Length ? s[start..] : string.Empty;
        }

        return start <= end ? s[start..end] : string.Empty;
    }

    private static string Indent(int spaces, string s)
    {
        string pad = new(' ', Math.Clamp(spaces, 0, 1000));
        return pad + s.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static string Title(string s)
    {
        var builder = new StringBuilder(s.Length);
        bool start = true;
        foreach (char c in s)
        {
            builder.Append(start ? char.ToUpperInvariant(c) : c);
            start = char.IsWhiteSpace(c) || char.IsPunctuation(c);
        }

        return builder.ToString();
    }

    private static string Align(string s, int count, bool left)
    {
        if (count < 0 || s.Length == count)
        {
            return s;
        }

        if (s.Length > count)
        {
            return left ? s[..count] : s[^count..];
        }

        return left ? s.PadRight(count) : s.PadLeft(count);
    }

    private static string Base64Decode(string s)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(s));
        }
        catch (FormatException ex)
        {
            throw new TemplateException($"illegal base64 data: {ex.Message}");
        }
    }
}
