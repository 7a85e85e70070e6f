using System.Collections.Concurrent;

namespace Forwarder.Metadata;

/// <summary>
/// Namespace labels (<c>--namespace-labels</c>): kept per namespace, and given to every pod of the namespace as it is
/// stored. A change of a namespace's labels makes each of its pods' metadata a new instance, which the tailers notice
/// as they notice a changed pod.
/// </summary>
internal sealed partial class PodMetadataCache
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<KeyValuePair<string, string>>> _namespaceLabels = new(StringComparer.Ordinal);

    public int NamespaceCount => _namespaceLabels.Count;

    /// <summary>A namespace was added or changed: its pods carry <paramref name="labels"/> from now on.</summary>
    public void SetNamespaceLabels(string ns, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        lock (_write)
        {
            if (_namespaceLabels.TryGetValue(ns, out var old) && old.SequenceEqual(labels))
            {
                return;
            }

            _namespaceLabels[ns] = labels;
            Relabel(ns, labels);
        }
    }

    /// <summary>A namespace was deleted, or is missing from a new list: its pods carry no namespace labels.</summary>
    public void RemoveNamespace(string ns)
    {
        lock (_write)
        {
            if (_namespaceLabels.TryRemove(ns, out _))
            {
                Relabel(ns, []);
            }
        }
    }

    /// <summary>After a full list of namespaces: those not in it are gone.</summary>
    public void KeepOnlyNamespaces(IReadOnlySet<string> listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        foreach (string ns in _namespaceLabels.Keys.Where(n => !listed.Contains(n)).ToList())
        {
            RemoveNamespace(ns);
        }
    }

    // Called under _write.
    private PodMetadata WithNamespaceLabels(PodMetadata metadata) =>
        _namespaceLabels.TryGetValue(metadata.Namespace, out var labels) ? metadata with { NamespaceLabels = labels }
        : metadata.NamespaceLabels.Count > 0 ? metadata with { NamespaceLabels = [] }
        : metadata;

    // Called under _write.
    private void Relabel(string ns, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        foreach (var entry in _byUid.Values)
        {
            if (entry.Metadata.Namespace != ns)
            {
                continue;
            }

            var updated = entry with { Metadata = entry.Metadata with { NamespaceLabels = labels } };
            _byUid[entry.Metadata.Uid] = updated;
            _byName.TryUpdate((ns, entry.Metadata.Name), updated, entry);
        }
    }
}
