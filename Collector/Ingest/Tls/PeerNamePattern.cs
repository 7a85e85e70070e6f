namespace Collector.Ingest.Tls;

/// <summary>
/// A permitted peer name as RFC 5425 §5.2 (and RFC 6125 §6.4.3) allows it: a DNS name compared case-insensitively,
/// where <c>*</c> may only be the whole left-most label and then stands for exactly one label
/// (<c>*.nodes.example</c> matches <c>n1.nodes.example</c>, not <c>nodes.example</c> nor <c>a.b.nodes.example</c>).
/// </summary>
public static class PeerNamePattern
{
    /// <summary>Why <paramref name="pattern"/> cannot be a permitted peer name, or null when it can.</summary>
    public static string? Check(string pattern)
    {
        if (pattern.Length == 0 || pattern.Length > 253)
        {
            return "must be a DNS name of 1 to 253 characters";
        }

        if (pattern.StartsWith("SHA", StringComparison.OrdinalIgnoreCase) && pattern.Contains(':', StringComparison.Ordinal))
        {
            return "is a fingerprint, which only --tls-client-auth fingerprint takes";
        }

        string[] labels = pattern.Split('.');
        for (int i = 0; i < labels.Length; i++)
        {
            string label = labels[i];
            if (label.Length == 0)
            {
                return "must not have an empty label";
            }

            if (label.Contains('*', StringComparison.Ordinal) && (i > 0 || label != "*"))
            {
                return "may use * only as the whole left-most label (RFC 5425 §5.2), as in *.nodes.example";
            }
        }

        if (labels[0] == "*" && labels.Length < 3)
        {
            return "must name at least two labels after *";
        }

        return null;
    }

    public static bool Matches(string pattern, string name)
    {
        name = name.TrimEnd('.');
        if (!pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        }

        // "*" is one label: the name's first label is not empty and the rest equals the pattern's rest.
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && string.Equals(pattern.AsSpan(2).ToString(), name[(dot + 1)..], StringComparison.OrdinalIgnoreCase);
    }
}
