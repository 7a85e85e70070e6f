using System.Text.Json;
using k8s;
using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>
/// One line of a watch stream: <c>{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{…}}</c>
/// (Kubernetes API concepts, "Efficient detection of changes"). An ERROR's object is a Status whose code (410 for a
/// resourceVersion too old) is kept in <see cref="Code"/>.
/// </summary>
internal readonly record struct WatchEvent(string Type, V1Pod? Pod, int Code, string? Message)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
    public const string Bookmark = "BOOKMARK";
    public const string Error = "ERROR";

    /// <summary>Parses one line; a line that is not a watch event throws <see cref="JsonException"/>.</summary>
    public static WatchEvent Parse(string line)
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

        if (type == Error)
        {
            int code = obj.TryGetProperty("code", out var c) && c.TryGetInt32(out int n) ? n : 0;
            string? message = obj.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return new WatchEvent(type, null, code, message);
        }

        // The client library's source-generated contract: no reflection, clean under native AOT.
        var pod = obj.Deserialize(SourceGenerationContext.Default.V1Pod);
        return new WatchEvent(type, pod, 0, null);
    }
}
