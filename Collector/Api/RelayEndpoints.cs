using System.Text;
using System.Text.Json;
using Collector.Relay;
using Collector.Relay.Configuration;

namespace Collector.Api;

/// <summary>
/// Relay management over HTTP, under the API's token: <c>GET /api/v1/relays</c> (every relay with its live status, and
/// the rejected files), <c>PUT /api/v1/relays/{name}</c> (body: a <c>logforwarder</c> document, YAML or JSON),
/// <c>DELETE /api/v1/relays/{name}</c>, and Gravity's <c>PUT /v1/forwarders</c>. Writes go to the relay directory,
/// which stays the only source of truth: a ConfigMap mount is read-only, and the answer is 409 saying so. A write
/// returns once the Collector has applied it, so the status in the answer is the new relay's.
/// </summary>
public sealed class RelayEndpoints(RelayManager manager)
{
    private const int MaxBodyBytes = 1 << 20;
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(5);

    public async Task ListAsync(HttpContext context)
    {
        var (relays, set) = manager.Snapshot();
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            if (manager.Directory is { } directory)
            {
                json.WriteString("directory", directory.Path);
                json.WriteBoolean("configMap", directory.IsConfigMap);
            }
            else
            {
                json.WriteNull("directory");
            }

            json.WriteStartArray("relays");
            foreach (var relay in relays)
            {
                WriteStatus(json, relay, set);
            }

            json.WriteEndArray();
            json.WriteStartArray("invalid");
            foreach (var file in set.Invalid)
            {
                json.WriteStartObject();
                json.WriteString("file", file.File);
                json.WriteStartArray("errors");
                file.Errors.ToList().ForEach(json.WriteStringValue);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    public async Task GetAsync(HttpContext context)
    {
        string name = (string)context.GetRouteValue("name")!;
        var (relays, set) = manager.Snapshot();
        var relay = relays.FirstOrDefault(r => r.Name == name) ?? throw NotFound(name);
        await WriteJsonAsync(context, StatusCodes.Status200OK, json => WriteStatus(json, relay, set)).ConfigureAwait(false);
    }

    public async Task PutAsync(HttpContext context)
    {
        string name = (string)context.GetRouteValue("name")!;
        var directory = WritableDirectory();
        string body = await ReadBodyAsync(context).ConfigureAwait(false);
        var definition = RelayDocument.Parse(body, out var errors);
        if (definition is null)
        {
            throw ProblemException.BadRequest($"not a valid logforwarder document: {string.Join("; ", errors)}");
        }

        if (definition.Name != name)
        {
            throw ProblemException.BadRequest($"metadata.name '{definition.Name}' differs from the name in the URL '{name}'");
        }

        var (_, set) = manager.Snapshot();
        bool existed = set.Files.TryGetValue(name, out string? file);
        Write(() => directory.Write(name, body, file ?? directory.NewFile(name, set.Files.Values.ToHashSet(StringComparer.Ordinal))));
        await ApplyAsync(context).ConfigureAwait(false);
        var (relays, applied) = manager.Snapshot();
        var relay = relays.FirstOrDefault(r => r.Name == name);
        if (relay is null)
        {
            string reason = applied.Invalid
                .FirstOrDefault(i => i.Errors.Any(e => e.StartsWith("could not start", StringComparison.Ordinal))
                    && Path.GetFileNameWithoutExtension(i.File) == name)
                ?.Errors[0] ?? "see the Collector's log";
            throw new ProblemException(StatusCodes.Status422UnprocessableEntity, "Relay not started", $"relay {name} was written but {reason}");
        }

        int status = existed ? StatusCodes.Status200OK : StatusCodes.Status201Created;
        await WriteJsonAsync(context, status, json => WriteStatus(json, relay, applied)).ConfigureAwait(false);
    }

    public async Task DeleteAsync(HttpContext context)
    {
        string name = (string)context.GetRouteValue("name")!;
        var directory = WritableDirectory();
        var (_, set) = manager.Snapshot();
        if (!set.Files.TryGetValue(name, out string? file))
        {
            throw NotFound(name);
        }

        Write(() => directory.Delete(file));
        await ApplyAsync(context).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// Gravity's <c>PUT /v1/forwarders</c>: a JSON list of <c>{"address","protocol"}</c> (and optionally <c>"name"</c>)
    /// that is the complete set of relays, as Gravity's controller sent it: relays not in the list are removed.
    /// </summary>
    public async Task PutForwardersAsync(HttpContext context)
    {
        var directory = WritableDirectory();
        string body = await ReadBodyAsync(context).ConfigureAwait(false);
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var parsed = JsonDocument.Parse(body);
            if (parsed.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw ProblemException.BadRequest("the body must be a JSON list of {\"address\": \"host:port\", \"protocol\": \"tcp|udp\"}");
            }

            int index = 0;
            foreach (var item in parsed.RootElement.EnumerateArray())
            {
                documents.TryAdd(LegacyDocument(item, index++, out string document), document);
            }
        }
        catch (JsonException e)
        {
            throw ProblemException.BadRequest($"the body is not JSON: {e.Message}");
        }

        var (_, set) = manager.Snapshot();
        Write(() =>
        {
            var inUse = set.Files.Values.ToHashSet(StringComparer.Ordinal);
            foreach (var (name, document) in documents)
            {
                string file = set.Files.GetValueOrDefault(name) ?? directory.NewFile(name, inUse);
                inUse.Add(file);
                directory.Write(name, document, file);
            }

            foreach (var (name, file) in set.Files)
            {
                if (!documents.ContainsKey(name))
                {
                    directory.Delete(file);
                }
            }
        });
        await ApplyAsync(context).ConfigureAwait(false);
        await ListAsync(context).ConfigureAwait(false);
    }

    private static string LegacyDocument(JsonElement item, int index, out string document)
    {
        string? Field(string name) =>
            item.ValueKind == JsonValueKind.Object
            && item.TryGetProperty(name, out var v)
            && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
        string address = Field("address") ?? throw ProblemException.BadRequest($"item {index}: \"address\" (host:port) is required");
        string protocol = (Field("protocol") ?? "tcp").ToLowerInvariant();
        string name = Field("name") ?? $"forwarder-{address}-{protocol}".Replace(':', '-').Replace('[', '-').Replace(']', '-');
        document = RelayDocument.Write(name, address, protocol);
        if (RelayDocument.Parse(document, out var errors) is null)
        {
            throw ProblemException.BadRequest($"item {index} ({address}): {string.Join("; ", errors)}");
        }

        return name;
    }

    private RelayDirectory WritableDirectory() => manager.Directory
        ?? throw new ProblemException(
            StatusCodes.Status409Conflict,
            "No relay directory",
            "the Collector was started without a relay directory (--relays DIR): there is nowhere to keep relays");

    private static void Write(Action write)
    {
        try
        {
            write();
        }
        catch (RelayDirectoryReadOnlyException e)
        {
            throw new ProblemException(StatusCodes.Status409Conflict, "Relay directory is read-only", e.Message);
        }
    }

    private async Task ApplyAsync(HttpContext context)
    {
        try
        {
            await manager.ReloadAsync(context.RequestAborted).WaitAsync(ApplyTimeout, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ProblemException(
                StatusCodes.Status503ServiceUnavailable,
                "Not applied yet",
                $"the relay file was written but not applied within {ApplyTimeout.TotalSeconds} s");
        }
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw new ProblemException(StatusCodes.Status413PayloadTooLarge, "Body too large", $"a relay document is at most {MaxBodyBytes} bytes");
        }

        using var reader = new StreamReader(new LengthLimitedStream(context.Request.Body, MaxBodyBytes), Encoding.UTF8);
        string body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        return body.Length > 0 ? body : throw ProblemException.BadRequest("the body is empty: send a logforwarder document (YAML or JSON)");
    }

    private static ProblemException NotFound(string name) => new(StatusCodes.Status404NotFound, "No such relay", $"there is no relay named '{name}'");

    private static void WriteStatus(Utf8JsonWriter json, RelayTarget relay, RelaySet set)
    {
        var d = relay.Definition;
        json.WriteStartObject();
        json.WriteString("name", d.Name);
        json.WriteString("address", d.Address);
        json.WriteString("protocol", d.Protocol.ToString().ToLowerInvariant());
        json.WriteString("framing", d.Protocol switch
        {
            Shared.Transport.SyslogTransportProtocol.Udp => "datagram",
            Shared.Transport.SyslogTransportProtocol.Relp => "relp",
            _ => d.Framing == Shared.Framing.SyslogFraming.OctetCounting ? "octet-counted" : "lf",
        });
        json.WriteString("format", d.Format.ToString().ToLowerInvariant());
        if (d.Filter is { } filter)
        {
            json.WriteString("filter", filter);
        }
        else
        {
            json.WriteNull("filter");
        }

        json.WriteBoolean("tls", d.Tls is not null);
        json.WriteString("spill", d.Spill ? "disk" : "none");
        json.WriteString("state", relay.State.ToString().ToLowerInvariant());
        json.WriteBoolean("connected", relay.Connected);
        json.WriteNumber("accepted", relay.Accepted);
        json.WriteNumber("sent", relay.Sent);
        json.WriteNumber("queued", relay.Queued);
        json.WriteNumber("queuedBytes", relay.Queue.QueuedBytes);
        json.WriteNumber("spilledBytes", relay.Queue.SpilledBytes);
        json.WriteNumber("dropped", relay.Dropped);
        json.WriteNumber("sendFailures", relay.SendFailures);
        if (relay.LastError is { } error)
        {
            json.WriteString("lastError", error);
            json.WriteString("lastErrorAt", relay.LastErrorAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull("lastError");
        }

        if (set.Files.TryGetValue(d.Name, out string? file))
        {
            json.WriteString("file", Path.GetFileName(file));
        }

        json.WriteEndObject();
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, ApiJson.WriterOptions))
        {
            write(json);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
