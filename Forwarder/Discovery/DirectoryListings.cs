using Forwarder.Tailing;

namespace Forwarder.Discovery;

/// <summary>
/// The entries of the directories the previous scan read, reused while a directory has not changed: with hundreds of
/// pods, listing <c>/var/log/containers</c> once a second built a path string per entry each time, most of what an
/// idle Forwarder allocated. A directory's ctime changes with every entry created, deleted or renamed in it (and with
/// chmod, so a directory made unreadable is read again and its problem reported). Entries not used by a scan are
/// dropped, as <see cref="ChainCache"/> does.
/// </summary>
internal sealed class DirectoryListings(TimeProvider time)
{
    // ctime comes from the kernel's coarse clock: an entry created in the same tick as the change the listing saw
    // leaves ctime as it was, and the listing would miss it for good. A listing is kept only when the directory's last
    // change was this long before it was read, so any later change falls in a later tick and moves ctime.
    private const long SettledNanoseconds = 2_000_000_000;

    private Dictionary<string, Listing> _previous = new(StringComparer.Ordinal);
    private Dictionary<string, Listing> _current = new(StringComparer.Ordinal);

    /// <summary>
    /// The entries of <paramref name="directory"/>, from the previous scan if it has not changed since, else read with
    /// <paramref name="read"/> (whose exceptions pass through).
    /// </summary>
    public List<FileScanner.DirectoryEntry> Get(string directory, Func<string, List<FileScanner.DirectoryEntry>> read)
    {
        // Taken before reading: a change during the read moves ctime past this value, and the next scan reads again.
        bool stamped = FileStatus.TryGetChangeTime(directory, out long changed);
        if (stamped && _previous.TryGetValue(directory, out var listing) && listing.ChangeTime == changed)
        {
            _current[directory] = listing;
            return listing.Entries;
        }

        var entries = read(directory);
        long now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        if (stamped && now - changed >= SettledNanoseconds)
        {
            _current[directory] = new Listing(changed, entries);
        }

        return entries;
    }

    public void EndScan()
    {
        (_previous, _current) = (_current, _previous);
        _current.Clear();
    }

    private sealed record Listing(long ChangeTime, List<FileScanner.DirectoryEntry> Entries);
}
