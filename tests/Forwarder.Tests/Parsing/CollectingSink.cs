using System.Text;
using Forwarder.Parsing;

namespace Forwarder.Tests.Parsing;

/// <summary>Keeps a copy of every entry, since an entry's spans live only during <see cref="Add"/>.</summary>
internal sealed class CollectingSink : ILogEntrySink
{
    public List<CollectedEntry> Entries { get; } = [];

    public CollectedEntry Single => Assert.Single(Entries);

    public void Add(in LogEntry entry) => Entries.Add(new CollectedEntry(
        Encoding.UTF8.GetString(entry.Timestamp),
        entry.Stream,
        entry.Content.ToArray(),
        entry.OriginalLength,
        entry.Truncated,
        entry.Partial,
        entry.Malformed));
}

internal sealed record CollectedEntry(
    string Timestamp,
    LogStream Stream,
    byte[] Content,
    long OriginalLength,
    bool Truncated,
    bool Partial,
    bool Malformed)
{
    public string Text => Encoding.UTF8.GetString(Content);
}
