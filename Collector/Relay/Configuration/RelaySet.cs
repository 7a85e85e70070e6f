namespace Collector.Relay.Configuration;

/// <summary>A file in the relay directory that does not hold a valid relay, and why.</summary>
public sealed record InvalidRelayFile(string File, IReadOnlyList<string> Errors);

/// <summary>
/// What the relay directory says at one moment: the relays to run (by name), the file each came from, and the files
/// that were rejected. A rejected file that held a valid relay before keeps that relay as it was.
/// </summary>
public sealed record RelaySet(
    IReadOnlyDictionary<string, RelayDefinition> Relays,
    IReadOnlyDictionary<string, string> Files,
    IReadOnlyList<InvalidRelayFile> Invalid)
{
    public static readonly RelaySet Empty = new(new Dictionary<string, RelayDefinition>(), new Dictionary<string, string>(), []);
}
