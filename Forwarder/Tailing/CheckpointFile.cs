using System.Text.Json.Serialization;

namespace Forwarder.Tailing;

/// <summary>The JSON document in <c>checkpoints.json</c>.</summary>
internal sealed record CheckpointFile(int Version, IReadOnlyList<Checkpoint> Files)
{
    public const int CurrentVersion = 1;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CheckpointFile))]
[JsonSerializable(typeof(Checkpoint))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
