using System.Text.Json.Serialization;

namespace Collector.Sources;

/// <summary>
/// <c>sources.json</c> next to the messages file: the ledger as it was after reading the messages file up to
/// <see cref="Position"/>, so a restart reads only the lines written after it.
/// </summary>
internal sealed record SourcesFile(
    int Version,
    SavedPosition? Position,
    long Gaps,
    long GapBytes,
    long Duplicates,
    long Malformed,
    long Rejected,
    List<SavedSource> Sources)
{
    public const int CurrentVersion = 1;
}

/// <summary>
/// A messages file by its first line's hash (it survives rotation and compression), and how far it was read.
/// </summary>
internal sealed record SavedPosition(string Head, long Offset);

internal sealed record SavedSource(
    string Id,
    string Node,
    string? Path,
    string? Namespace,
    string? Pod,
    string? Container,
    string? App,
    long First,
    long Mark,
    long JumpFrom,
    long JumpTo,
    long Lines,
    long Gaps,
    long GapBytes,
    List<GapRange> GapRanges,
    long Rejected,
    long LastStored,
    long Duplicates,
    long LastSeen);

[JsonSerializable(typeof(SourcesFile))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SourcesJsonContext : JsonSerializerContext;
