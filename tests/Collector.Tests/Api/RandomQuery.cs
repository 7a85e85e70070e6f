using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Collector.Tests.Api;

/// <summary>
/// A generated LogQL query and its own evaluation: what a brute-force scan of the stored lines should find. The
/// semantics are written here independently of the Collector: labels come from the generator, not from parsing.
/// </summary>
public sealed class RandomQuery
{
    private static readonly (string Label, string Op, string Value)[] MatcherPool =
    [
        ("namespace", "=", "web"), ("namespace", "=", "db"), ("namespace", "!=", "kube-system"), ("namespace", "=", "nope"),
        ("namespace", "=~", "web|db"), ("namespace", "=~", "kube-.*"), ("namespace", "!~", ".*b"), ("namespace", "=", ""),
        ("pod", "=", "web-1"), ("pod", "=", "db-3"), ("pod", "=", "we\"ird]pod"), ("pod", "=~", "web-[0-2]"), ("pod", "=~", "we.*"),
        ("pod", "!~", ".*-4"), ("pod", "!=", ""),
        ("container", "=", "main"), ("container", "!=", "sidecar"), ("container", "=~", "main|init"), ("container", "=", ""),
        ("host", "=", "node-1"), ("host", "=~", "node-[12]"), ("host", "!=", "node-3"),
        ("app", "=", "nginx"), ("app", "=~", "ng.*|kube.*"), ("app", "!=", "postgres"),
        ("severity", "=", "err"), ("severity", "=", "error"), ("severity", "!=", "info"), ("severity", "<=", "warning"),
        ("severity", ">", "notice"), ("severity", "<", "crit"), ("severity", ">=", "debug"), ("severity", "=~", "warn.*|info"),
    ];

    private static readonly (string Op, string Value)[] FilterPool =
    [
        ("|=", "error"), ("|=", "timeout"), ("|=", "rare-term-XYZ"), ("|=", "seq=12"), ("|=", "é日本"), ("|=", "user=42"),
        ("!=", "GET"), ("!=", "ok"), ("|~", "err(or)?|timeout"), ("|~", "user=\\d+"), ("|~", "GET.*slow"), ("!~", "POST|retry"),
        ("|=", "[k8s@32473 namespace=\"db\""), ("|=", "we\\\"ird"),
    ];

    private readonly List<(string Label, string Op, string Value)> _matchers = [];
    private readonly List<(string Op, string Value)> _filters = [];

    public RandomQuery(Random random)
    {
        int matchers = random.Next(0, 4);
        for (int i = 0; i < matchers; i++)
        {
            _matchers.Add(MatcherPool[random.Next(MatcherPool.Length)]);
        }

        int filters = random.Next(0, 3);
        for (int i = 0; i < filters; i++)
        {
            _filters.Add(FilterPool[random.Next(FilterPool.Length)]);
        }
    }

    public string Text
    {
        get
        {
            var text = new StringBuilder("{");
            text.AppendJoin(", ", _matchers.Select(m => $"{m.Label}{m.Op}{Quote(m.Value)}"));
            text.Append('}');
            foreach (var (op, value) in _filters)
            {
                text.Append(' ').Append(op).Append(' ').Append(Quote(value));
            }

            return text.ToString();
        }
    }

    public bool Matches(GeneratedLog log, string line) =>
        _matchers.All(m => MatcherMatches(m, log.Label(m.Label))) && _filters.All(f => FilterMatches(f, line));

    private static bool MatcherMatches((string Label, string Op, string Value) m, string value)
    {
        if (m.Label == "severity" && m.Op is "<" or "<=" or ">" or ">=")
        {
            int code = Array.IndexOf(GeneratedLogs.SeverityNames, value);
            int bound = Array.IndexOf(GeneratedLogs.SeverityNames, m.Value);
            return m.Op switch { "<" => code < bound, "<=" => code <= bound, ">" => code > bound, _ => code >= bound };
        }

        string expected = m.Label == "severity" && m.Value == "error" ? "err" : m.Value;
        return m.Op switch
        {
            "=" => value == expected,
            "!=" => value != expected,
            "=~" => Regex.IsMatch(value, $"^(?:{m.Value})$"),
            _ => !Regex.IsMatch(value, $"^(?:{m.Value})$"),
        };
    }

    private static bool FilterMatches((string Op, string Value) f, string line) => f.Op switch
    {
        "|=" => line.Contains(f.Value, StringComparison.Ordinal),
        "!=" => !line.Contains(f.Value, StringComparison.Ordinal),
        "|~" => Regex.IsMatch(line, f.Value),
        _ => !Regex.IsMatch(line, f.Value),
    };

    /// <summary>A LogQL double-quoted string (Go escapes).</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static string Time(long ns, Random random) => random.Next(2) == 0
        ? ns.ToString(CultureInfo.InvariantCulture)
        : DateTimeOffset.UnixEpoch.AddTicks(ns / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
