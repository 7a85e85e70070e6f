using Shared.Syslog;

namespace Collector.Storage;

/// <summary>
/// The first <c>namespace</c>, <c>pod</c> and <c>container</c> SD params of a message (in any element, values still
/// escaped), the rule <see cref="StoredLine"/> reads labels by.
/// </summary>
public readonly ref struct KubernetesIdentity
{
    public ReadOnlySpan<byte> Namespace { get; init; }

    public ReadOnlySpan<byte> Pod { get; init; }

    public ReadOnlySpan<byte> Container { get; init; }

    /// <summary>True when <paramref name="structuredData"/> has at least one of the three params.</summary>
    public static bool TryRead(ReadOnlySpan<byte> structuredData, out KubernetesIdentity identity)
    {
        identity = default;
        if (structuredData.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<byte> ns = default, pod = default, container = default;
        bool found = false;
        var sd = new StructuredDataReader(structuredData);
        while (sd.ReadElement(out _))
        {
            while (sd.ReadParameter(out var name, out var value))
            {
                if (name.SequenceEqual("namespace"u8))
                {
                    ns = ns.IsEmpty ? value : ns;
                    found = true;
                }
                else if (name.SequenceEqual("pod"u8))
                {
                    pod = pod.IsEmpty ? value : pod;
                    found = true;
                }
                else if (name.SequenceEqual("container"u8))
                {
                    container = container.IsEmpty ? value : container;
                    found = true;
                }
                else
                {
                    continue;
                }

                // Later params cannot change the first non-empty values: the rest of the SD need not be walked.
                if (!ns.IsEmpty && !pod.IsEmpty && !container.IsEmpty)
                {
                    identity = new KubernetesIdentity { Namespace = ns, Pod = pod, Container = container };
                    return true;
                }
            }
        }

        identity = new KubernetesIdentity { Namespace = ns, Pod = pod, Container = container };
        return found;
    }
}
