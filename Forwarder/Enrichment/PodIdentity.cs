namespace Forwarder.Enrichment;

/// <summary>Who wrote a container log file, as its path on the node tells.</summary>
public sealed record PodIdentity(string Namespace, string Pod, string Container, string? ContainerId, string? PodUid);
