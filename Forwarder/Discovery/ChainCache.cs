using Forwarder.Tailing;

namespace Forwarder.Discovery;

/// <summary>
/// The chains resolved by the previous scan, by matched path. Resolving costs a readlink per hop plus two stats; a
/// cached chain is checked with two stats instead: the path still leads to the same real file (device, inode) and,
/// for a link, the link itself is the same one. Kubelet and docker never retarget a link in place (a new container
/// gets new links), so a chain that passes both checks is taken as unchanged. Entries not seen in a scan are dropped.
/// A file whose size did not move either is answered with the same <see cref="DiscoveredFile"/> as before, so a rescan
/// of files that stay quiet allocates nothing for them.
/// </summary>
internal sealed class ChainCache
{
    private Dictionary<string, Entry> _previous = new(StringComparer.Ordinal);
    private Dictionary<string, Entry> _current = new(StringComparer.Ordinal);

    /// <summary>
    /// The file as the cached chain finds it when the chain still holds, with the real file's current status (its size
    /// moves on).
    /// </summary>
    public DiscoveredFile? TryGet(string path)
    {
        if (_previous.TryGetValue(path, out var entry)
            && FileStatus.TryGet(path, out var status, out _)
            && status.IsSameFileAs(entry.File.Status)
            && (entry.Chain.Length == 1 || (FileStatus.TryGetNoFollow(path, out var link, out _) && link.IsSameFileAs(entry.Link))))
        {
            if (status != entry.File.Status)
            {
                entry = entry with { File = new DiscoveredFile(path, entry.Chain, status) };
            }

            _current[path] = entry;
            return entry.File;
        }

        return null;
    }

    /// <summary>
    /// <paramref name="link"/> is the path's own status (lstat), taken before the chain was resolved.
    /// </summary>
    public void Add(DiscoveredFile file, string[] chain, FileStatus link) => _current[file.Path] = new Entry(chain, link, file);

    public void EndScan()
    {
        (_previous, _current) = (_current, _previous);
        _current.Clear();
    }

    private readonly record struct Entry(string[] Chain, FileStatus Link, DiscoveredFile File);
}
