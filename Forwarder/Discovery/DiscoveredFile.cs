using Forwarder.Tailing;

namespace Forwarder.Discovery;

/// <summary>
/// A regular file found by a scan. <paramref name="Path"/> is the path the include glob matched;
/// <paramref name="Chain"/> is that path, then each symlink hop's absolute target, ending with the real file;
/// <paramref name="Status"/> is the real file's identity and size when it was scanned.
/// </summary>
internal sealed record DiscoveredFile(string Path, IReadOnlyList<string> Chain, FileStatus Status)
{
    public string RealPath => Chain[^1];
}
