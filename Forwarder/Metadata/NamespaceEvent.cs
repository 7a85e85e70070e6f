using System.Text.Json;
using k8s;
using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>One line of a namespace watch; an ERROR's Status code (410) in <see cref="Code"/>.</summary>
internal readonly record struct NamespaceEvent(string Type, V1Namespace? Namespace, int Code, string? Message)
{
    public static NamespaceEvent Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        string type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw new JsonException("a watch event without \"type\"");
        if (!root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"a {type} watch event without \"object\"");
        }

        if (type == WatchEvent.Error)
        {
            int code = obj.TryGetProperty("code", out var c) && c.TryGetInt32(out int n) ? n : 0;
            string? message = obj.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return new NamespaceEvent(type, null, code, message);
        }

        return new NamespaceEvent(type, obj.Deserialize(SourceGenerationContext.Default.V1Namespace), 0, null);
    }
}
