using System.Text;

namespace Collector.Storage;

/// <summary>
/// How a pod label the Forwarder adds (SD param <c>l.KEY="value"</c>, docs/kubernetes-metadata.md) is named in the
/// query language: KEY with every byte outside Prometheus' and Loki's label-name characters (<c>[a-zA-Z0-9_]</c>) made
/// <c>_</c>, as promtail's and Prometheus' Kubernetes discovery name them (<c>app.kubernetes.io/name</c> →
/// <c>app_kubernetes_io_name</c>, <c>k8s-app</c> → <c>k8s_app</c>); a leading digit gets a <c>_</c> in front. A name
/// the Collector already gives a meaning (a fixed label, <c>level</c>, <c>detected_level</c>, or one starting with
/// <c>__</c>, which Loki keeps for itself) gets <see cref="ClashPrefix"/> in front: the fixed label wins, so
/// <c>{app="x"}</c> keeps meaning the syslog APP-NAME and the pod label <c>app</c> is <c>label_app</c>. When two params
/// of one line end up with the same name, the first one counts.
/// A namespace label (SD param <c>n.KEY</c>, <c>--namespace-labels</c>) is named the same way behind
/// <see cref="NamespacePrefix"/> (<c>n.team</c> → <c>namespace_team</c>), so that it never takes a pod label's or a
/// fixed label's name; it is a label like a pod label in everything else (index, <c>/labels</c>, series, the UI).
/// </summary>
public static class PodLabelName
{
    /// <summary>
    /// Longer names (after the prefix) are not labels: RFC 5424 §6.3.2 allows 32 bytes for a whole SD-NAME.
    /// </summary>
    public const int MaxLength = 128;

    public const string ClashPrefix = "label_";

    public const string NamespacePrefix = "namespace_";

    private static readonly byte[] ClashPrefixUtf8 = Encoding.ASCII.GetBytes(ClashPrefix);

    private static readonly byte[] NamespacePrefixUtf8 = Encoding.ASCII.GetBytes(NamespacePrefix);

    // The Loki API's derived labels are named here too (not taken from the search layer, which Storage does not use).
    private static readonly byte[][] Reserved = [.. LogLabels.Names.Append("level").Append("detected_level").Select(Encoding.ASCII.GetBytes)];

    /// <summary>
    /// Writes the label name of SD param <paramref name="paramName"/> into <paramref name="destination"/> (at least
    /// <see cref="MaxLength"/> bytes); false when the param is not a pod or namespace label (no <c>l.</c> or
    /// <c>n.</c>, nothing after it) or its name would be longer than <see cref="MaxLength"/>.
    /// </summary>
    public static bool TryWrite(ReadOnlySpan<byte> paramName, Span<byte> destination, out int length)
    {
        length = 0;
        if (paramName.Length <= 2 || paramName[1] != '.' || (paramName[0] != 'l' && paramName[0] != 'n'))
        {
            return false;
        }

        var key = paramName[2..];
        int n = 0;
        if (paramName[0] == 'n')
        {
            if (NamespacePrefixUtf8.Length + key.Length > MaxLength)
            {
                return false;
            }

            NamespacePrefixUtf8.CopyTo(destination);
            n = NamespacePrefixUtf8.Length;
        }
        else if (char.IsAsciiDigit((char)key[0]))
        {
            destination[n++] = (byte)'_';
        }

        if (n + key.Length > MaxLength)
        {
            return false;
        }

        foreach (byte b in key)
        {
            destination[n++] = char.IsAsciiLetterOrDigit((char)b) || b == '_' ? b : (byte)'_';
        }

        if (IsReserved(destination[..n]))
        {
            if (n + ClashPrefixUtf8.Length > MaxLength)
            {
                return false;
            }

            destination[..n].CopyTo(destination[ClashPrefixUtf8.Length..]);
            ClashPrefixUtf8.CopyTo(destination);
            n += ClashPrefixUtf8.Length;
        }

        length = n;
        return true;
    }

    /// <summary>The label name of a pod label param, or null (see <see cref="TryWrite"/>).</summary>
    public static string? Of(string paramName)
    {
        Span<byte> name = stackalloc byte[MaxLength];
        return TryWrite(Encoding.UTF8.GetBytes(paramName), name, out int n) ? Encoding.ASCII.GetString(name[..n]) : null;
    }

    private static bool IsReserved(ReadOnlySpan<byte> name)
    {
        if (name.StartsWith("__"u8))
        {
            return true;
        }

        foreach (byte[] reserved in Reserved)
        {
            if (name.SequenceEqual(reserved))
            {
                return true;
            }
        }

        return false;
    }
}
