using System.Globalization;
using System.Text.RegularExpressions;
using Collector.Search;
using Shared.Configuration;
using Shared.Framing;
using Shared.Transport;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Collector.Relay.Configuration;

/// <summary>
/// Reads one <c>logforwarder</c> document, YAML or JSON (JSON is YAML), exactly as Gravity stored it in the
/// <c>log-forwarders</c> ConfigMap:
/// <code>
/// kind: logforwarder
/// version: v2
/// metadata: {name: siem}
/// spec: {address: "siem.example.com:514", protocol: tcp}
/// </code>
/// plus the optional <c>spec</c> keys <c>framing</c>, <c>format</c>, <c>filter</c>, <c>queue</c>,
/// <c>maxDatagramSize</c> and <c>tls</c> (<c>ca</c>, <c>cert</c>, <c>key</c>, <c>serverName</c> as the Forwarder's
/// <c>--tls-*</c> switches, and <c>checkServerName</c>; with <c>protocol: tcp</c> RFC 5425, with <c>relp</c> RELP over
/// TLS). Every problem is reported with its key
/// (<c>spec.protocol must be tcp, udp or relp, was 'sctp'</c>); an unknown <c>spec</c> key is an error too, so a typo
/// never silently turns an option off.
/// </summary>
public static partial class RelayDocument
{
    public const string Kind = "logforwarder";
    public const string Version = "v2";

    private static readonly string[] SpecKeys = ["address", "protocol", "framing", "format", "filter", "queue", "maxDatagramSize", "tls"];
    private static readonly string[] QueueKeys = ["maxBytes", "spill", "maxSpillBytes"];

    /// <summary>
    /// The first TLS words, kept working: the Forwarder's switches (<c>--tls-ca</c>, <c>--tls-cert</c>,
    /// <c>--tls-key</c>) gave the shorter ones.
    /// </summary>
    private static readonly Dictionary<string, string> DeprecatedTlsKeys = new(StringComparer.Ordinal)
    {
        ["caFile"] = "ca",
        ["certFile"] = "cert",
        ["keyFile"] = "key",
    };

    // After DeprecatedTlsKeys: static fields are initialised in order.
    private static readonly string[] TlsKeys = ["ca", "cert", "key", "serverName", "checkServerName", .. DeprecatedTlsKeys.Keys];

    /// <summary>
    /// Parses <paramref name="text"/>; null with <paramref name="errors"/> when it is not a valid relay.
    /// </summary>
    public static RelayDefinition? Parse(string text, out List<string> errors)
    {
        errors = [];
        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                errors.Add(stream.Documents.Count > 1
                    ? "the file holds several documents: one relay per file"
                    : "the file must hold one logforwarder document (a mapping with kind, version, metadata and spec)");
                return null;
            }

            root = mapping;
        }
        catch (YamlException e)
        {
            errors.Add($"not valid YAML or JSON at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
            return null;
        }

        var found = errors;
        string? kind = Scalar(root, "kind", "kind", found);
        if (kind is null || !kind.Equals(Kind, StringComparison.OrdinalIgnoreCase))
        {
            found.Add($"kind must be {Kind}, was '{kind}'");
        }

        string? version = Scalar(root, "version", "version", found);
        if (version != Version)
        {
            found.Add($"version must be {Version}, was '{version}'");
        }

        string? name = Mapping(root, "metadata", "metadata", found) is { } metadata ? Scalar(metadata, "name", "metadata.name", found) : null;
        if (name is null || !IsValidName(name))
        {
            found.Add($"metadata.name must be 1-63 letters, digits, '-', '_' or '.', starting with a letter or digit, was '{name}'");
        }

        if (Mapping(root, "spec", "spec", found) is not { } spec)
        {
            found.Add("spec is required (with at least spec.address)");
            return null;
        }

        var definition = ReadSpec(spec, name ?? string.Empty, found);
        return found.Count == 0 ? definition : null;
    }

    /// <summary>Relay names become file and directory names: a conservative Kubernetes-like alphabet.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>
    /// The Gravity part of a document: what the legacy <c>PUT /v1/forwarders</c> receives per target.
    /// </summary>
    public static string Write(string name, string address, string protocol) =>
        $"kind: {Kind}\nversion: {Version}\nmetadata:\n  name: {name}\nspec:\n  address: \"{address}\"\n  protocol: {protocol}\n";

    private static RelayDefinition? ReadSpec(YamlMappingNode spec, string name, List<string> errors)
    {
        Unknown(spec, "spec", SpecKeys, errors);
        string? address = Scalar(spec, "address", "spec.address", errors);
        (string Host, int Port)? target = null;
        if (address is null)
        {
            errors.Add("spec.address is required (host:port)");
        }
        else if (TryParseAddress(address, out var host, out int port))
        {
            target = (host, port);
        }
        else
        {
            errors.Add($"spec.address must be host:port (a DNS name or IP address, port 1-65535), was '{address}'");
        }

        var protocol = Scalar(spec, "protocol", "spec.protocol", errors)?.ToLowerInvariant() switch
        {
            null or "tcp" => SyslogTransportProtocol.Tcp,
            "udp" => SyslogTransportProtocol.Udp,
            "relp" => SyslogTransportProtocol.Relp,
            var other => Fail(errors, $"spec.protocol must be tcp, udp or relp, was '{other}'", SyslogTransportProtocol.Tcp),
        };
        var framing = Scalar(spec, "framing", "spec.framing", errors)?.ToLowerInvariant() switch
        {
            null or "octet-counted" or "octet-counting" => SyslogFraming.OctetCounting,
            "lf" or "non-transparent" => SyslogFraming.LineFeed,
            var other => Fail(errors, $"spec.framing must be octet-counted or lf, was '{other}'", SyslogFraming.OctetCounting),
        };
        var format = Scalar(spec, "format", "spec.format", errors)?.ToLowerInvariant() switch
        {
            null or "rfc5424" => RelayFormat.Rfc5424,
            "rfc3164" => RelayFormat.Rfc3164,
            var other => Fail(errors, $"spec.format must be rfc5424 or rfc3164, was '{other}'", RelayFormat.Rfc5424),
        };
        string? filter = Scalar(spec, "filter", "spec.filter", errors);
        if (filter is { Length: > 0 })
        {
            try
            {
                QueryParser.Parse(filter);
            }
            catch (QueryParseException e)
            {
                errors.Add($"spec.filter is not a valid query: {e.Reason} at position {e.Position} of '{filter}'");
            }
        }

        int datagram = RelayDefinition.DefaultMaxDatagramSize;
        if (Scalar(spec, "maxDatagramSize", "spec.maxDatagramSize", errors) is { } datagramText)
        {
            datagram = ConfigValue.TryParseSize(
                datagramText, SyslogSenderOptions.MinDatagramSize, SyslogSenderOptions.MaxDatagramSizeLimit, out long d)
                ? (int)d
                : Fail(
                    errors,
                    $"spec.maxDatagramSize must be a size from {SyslogSenderOptions.MinDatagramSize} " +
                    $"to {SyslogSenderOptions.MaxDatagramSizeLimit} bytes, was '{datagramText}'",
                    0);
        }

        var definition = new RelayDefinition
        {
            Name = name,
            Host = target?.Host ?? string.Empty,
            Port = target?.Port ?? 0,
            Protocol = protocol,
            Framing = framing,
            Format = format,
            Filter = filter is { Length: > 0 } ? filter : null,
            MaxDatagramSize = datagram,
        };
        definition = ReadQueue(spec, definition, errors);
        definition = ReadTls(spec, definition, errors);
        return definition;
    }

    private static RelayDefinition ReadQueue(YamlMappingNode spec, RelayDefinition definition, List<string> errors)
    {
        if (Mapping(spec, "queue", "spec.queue", errors) is not { } queue)
        {
            return definition;
        }

        Unknown(queue, "spec.queue", QueueKeys, errors);
        long Size(string key, long fallback, long min)
        {
            string? text = Scalar(queue, key, $"spec.queue.{key}", errors);
            return text is null ? fallback
                : ConfigValue.TryParseSize(text, min, 1L << 40, out long bytes) ? bytes
                : Fail(errors, $"spec.queue.{key} must be a size from {min} bytes to 1TiB (e.g. 64MiB), was '{text}'", fallback);
        }

        bool spill = Scalar(queue, "spill", "spec.queue.spill", errors)?.ToLowerInvariant() switch
        {
            null or "none" => false,
            "disk" => true,
            var other => Fail(errors, $"spec.queue.spill must be disk or none, was '{other}'", false),
        };
        return definition with
        {
            QueueBytes = Size("maxBytes", RelayDefinition.DefaultQueueBytes, 64 * 1024),
            Spill = spill,
            SpillBytes = Size("maxSpillBytes", RelayDefinition.DefaultSpillBytes, 1 << 20),
        };
    }

    private static RelayDefinition ReadTls(YamlMappingNode spec, RelayDefinition definition, List<string> errors)
    {
        if (!spec.Children.TryGetValue(new YamlScalarNode("tls"), out var node) || node is YamlScalarNode { Value: null or "" or "false" })
        {
            return definition;
        }

        if (definition.Protocol is not (SyslogTransportProtocol.Tcp or SyslogTransportProtocol.Relp))
        {
            errors.Add("spec.tls needs spec.protocol tcp (RFC 5425 is TLS over TCP) or relp (RELP over TLS)");
        }

        if (node is YamlScalarNode { Value: "true" })
        {
            return definition with { Tls = new RelayTlsSettings(null, null, null, null, CheckServerName: true) };
        }

        if (node is not YamlMappingNode tls)
        {
            errors.Add("spec.tls must be a mapping (ca, cert, key, serverName, checkServerName) or true");
            return definition;
        }

        Unknown(tls, "spec.tls", TlsKeys, errors);
        var deprecated = new List<string>();
        string? File(string key)
        {
            string? old = DeprecatedTlsKeys.FirstOrDefault(k => k.Value == key).Key;
            bool hasNew = tls.Children.ContainsKey(new YamlScalarNode(key));
            bool hasOld = old is not null && tls.Children.ContainsKey(new YamlScalarNode(old));
            if (hasNew && hasOld)
            {
                errors.Add($"spec.tls.{key} and spec.tls.{old} are the same setting ({old} is its old name): give one");
            }
            else if (hasOld)
            {
                deprecated.Add($"spec.tls.{old} (now spec.tls.{key})");
            }

            string name = hasOld && !hasNew ? old! : key;
            string? path = Scalar(tls, name, $"spec.tls.{name}", errors);
            if (path is { Length: > 0 } && !System.IO.File.Exists(path))
            {
                errors.Add(System.IO.Directory.Exists(path)
                    ? $"spec.tls.{name} '{path}' is a directory, not a file"
                    : $"spec.tls.{name} '{path}' does not exist");
            }

            return path is { Length: > 0 } ? path : null;
        }

        string? ca = File("ca"), certificate = File("cert"), key = File("key");
        if ((certificate is null) != (key is null))
        {
            errors.Add("spec.tls.cert and spec.tls.key go together (a client certificate needs its key)");
        }

        bool check = Scalar(tls, "checkServerName", "spec.tls.checkServerName", errors)?.ToLowerInvariant() switch
        {
            null or "true" => true,
            "false" => false,
            var other => Fail(errors, $"spec.tls.checkServerName must be true or false, was '{other}'", true),
        };
        string? serverName = Scalar(tls, "serverName", "spec.tls.serverName", errors);
        return definition with
        {
            Tls = new RelayTlsSettings(ca, certificate, key, serverName is { Length: > 0 } ? serverName : null, check),
            DeprecatedKeys = deprecated.Count > 0 ? string.Join(", ", deprecated) : null,
        };
    }

    /// <summary><c>host:port</c>, <c>[v6]:port</c>, or a host alone (port 514, as Gravity's rsyslog assumed).</summary>
    public static bool TryParseAddress(string address, out string host, out int port)
    {
        host = address.Trim();
        port = 514;
        string portText = string.Empty;
        if (host.StartsWith('['))
        {
            int close = host.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            portText = host[(close + 1)..] is [':', .. var rest] ? rest : host[(close + 1)..];
            host = host[1..close];
        }
        else if (host.IndexOf(':', StringComparison.Ordinal) is int colon and >= 0 && host.LastIndexOf(':') == colon)
        {
            portText = host[(colon + 1)..];
            host = host[..colon];
        }

        if (portText.Length > 0 && !(int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535))
        {
            return false;
        }

        return host.Length > 0 && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    private static T Fail<T>(List<string> errors, string message, T value)
    {
        errors.Add(message);
        return value;
    }

    private static string? Scalar(YamlMappingNode mapping, string key, string path, List<string> errors)
    {
        if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value is { Length: > 0 } value ? value.Trim() : null;
        }

        errors.Add($"{path} must be a single value, was a {(node is YamlMappingNode ? "mapping" : "list")}");
        return null;
    }

    private static YamlMappingNode? Mapping(YamlMappingNode mapping, string key, string path, List<string> errors)
    {
        if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        if (node is YamlMappingNode child)
        {
            return child;
        }

        errors.Add($"{path} must be a mapping");
        return null;
    }

    private static void Unknown(YamlMappingNode mapping, string path, string[] known, List<string> errors)
    {
        foreach (var key in mapping.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || Array.IndexOf(known, name) < 0)
            {
                errors.Add($"{path}.{(key as YamlScalarNode)?.Value} is not a known key (known: {string.Join(", ", known)})");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();
}
