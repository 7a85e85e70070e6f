namespace Collector.Relay.Configuration;

/// <summary>
/// The relay directory cannot take a change from the API (a ConfigMap mount, or not writable): the API answers 409.
/// </summary>
public sealed class RelayDirectoryReadOnlyException(string message, Exception? inner = null) : Exception(message, inner);
