using System.Buffers;
using System.Text.Json;
using k8s.Models;

namespace Forwarder.Metadata;

/// <summary>
/// Reads the kubelet's <c>GET /pods</c> answer, one PodList document of every pod on the node
/// (<c>{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{…},"spec":{…},"status":{…}},…]}</c>),
/// as a stream: of each item only the parts of its <c>metadata</c> the Forwarder uses are read (into the client
/// library's <see cref="V1ObjectMeta"/>); spec, status and the rest of the metadata are passed over token by token.
/// Memory stays at one read buffer (grown only for a single metadata object larger than it) and one pod's metadata,
/// whatever the number of pods; deserializing the whole list at once would hold every pod's spec and status
/// (docs/kubernetes-metadata.md has both measured).
/// </summary>
internal static class KubeletPodList
{
    private const int InitialBuffer = 64 * 1024;

    // A single pod's metadata larger than this (annotations are limited to 256 KiB in total) is not a pod.
    private const int MaxBuffer = 4 * 1024 * 1024;

    /// <summary>
    /// Calls <paramref name="onPod"/> for each item in document order (a pod with just its metadata); returns the
    /// number of items. Not a PodList, or cut short: <see cref="JsonException"/> (the pods before it were passed on).
    /// </summary>
    public static async Task<int> ReadAsync(Stream stream, Func<V1Pod, CancellationToken, Task> onPod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(onPod);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        var scan = new Scan { Reader = new JsonReaderState() };
        var pods = new List<V1Pod>();
        int start = 0;
        int end = 0;
        int count = 0;
        bool final = false;
        try
        {
            while (true)
            {
                if (!final)
                {
                    if (end == buffer.Length)
                    {
                        buffer = MakeRoom(buffer, ref start, ref end);
                    }

                    int read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                    final = read == 0;
                    end += read;
                }

                start += Parse(buffer.AsSpan(start, end - start), final, ref scan, pods);
                foreach (var pod in pods)
                {
                    await onPod(pod, cancellationToken).ConfigureAwait(false);
                    count++;
                }

                pods.Clear();
                if (scan.Done)
                {
                    return count;
                }

                if (final)
                {
                    throw new JsonException($"the PodList ended early, after {count} pods");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Moves the unread bytes to the front; doubles the buffer when they fill it.</summary>
    private static byte[] MakeRoom(byte[] buffer, ref int start, ref int end)
    {
        int unread = end - start;
        if (start == 0)
        {
            if (buffer.Length >= MaxBuffer)
            {
                throw new JsonException($"one pod's metadata is larger than {MaxBuffer / 1024 / 1024} MiB");
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, unread).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }
        else
        {
            buffer.AsSpan(start, unread).CopyTo(buffer);
        }

        start = 0;
        end = unread;
        return buffer;
    }

    /// <summary>Reads what <paramref name="data"/> holds; returns the bytes consumed (the rest is read again with more
    /// data).</summary>
    private static int Parse(ReadOnlySpan<byte> data, bool final, ref Scan scan, List<V1Pod> pods)
    {
        var reader = new Utf8JsonReader(data, final, scan.Reader);
        while (true)
        {
            var before = reader.CurrentState;
            long consumedBefore = reader.BytesConsumed;
            if (!reader.Read())
            {
                break;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    scan.ItemsNext = reader.ValueTextEquals("items"u8);
                    break;
                case JsonTokenType.StartArray when reader.CurrentDepth == 1 && scan.ItemsNext:
                    scan.InItems = true;
                    break;
                case JsonTokenType.EndArray when reader.CurrentDepth == 1:
                    scan.InItems = false;
                    break;
                case JsonTokenType.StartObject when reader.CurrentDepth == 0:
                    scan.Started = true;
                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == 0:
                    scan.Done = true;
                    scan.Reader = reader.CurrentState;
                    return (int)reader.BytesConsumed;
                case JsonTokenType.PropertyName when reader.CurrentDepth == 3 && scan.InItems:
                    scan.MetadataNext = reader.ValueTextEquals("metadata"u8);
                    break;
                case JsonTokenType.StartObject when reader.CurrentDepth == 3 && scan.InItems && scan.MetadataNext:
                    int from = (int)reader.TokenStartIndex;
                    if (!reader.TrySkip())
                    {
                        // Not all of this pod's metadata is here yet: read it again from its start with more data.
                        scan.Reader = before;
                        return (int)consumedBefore;
                    }

                    pods.Add(new V1Pod { Metadata = ReadMetadata(data[from..(int)reader.BytesConsumed]) });

                    scan.MetadataNext = false;
                    break;
                default:
                    if (!scan.Started && reader.TokenType != JsonTokenType.StartObject)
                    {
                        throw new JsonException($"the answer is not a JSON object but starts with a {reader.TokenType}");
                    }

                    break;
            }
        }

        scan.Reader = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    /// <summary>
    /// The fields of one pod's metadata that the Forwarder uses: name, namespace, uid, resourceVersion, the labels, the
    /// owner references, and of the annotations only the Forwarder's own (<c>kube-syslog.io/…</c>). The rest
    /// (managedFields, kubectl's last-applied-configuration, other tools' annotations) is skipped without building
    /// anything: it is most of the metadata's bytes, and a node's worth of it is what the peak memory would be made
    /// of.
    /// </summary>
    private static V1ObjectMeta ReadMetadata(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var meta = new V1ObjectMeta();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                meta.Name = Text(ref reader);
            }
            else if (reader.ValueTextEquals("namespace"u8))
            {
                meta.NamespaceProperty = Text(ref reader);
            }
            else if (reader.ValueTextEquals("uid"u8))
            {
                meta.Uid = Text(ref reader);
            }
            else if (reader.ValueTextEquals("resourceVersion"u8))
            {
                meta.ResourceVersion = Text(ref reader);
            }
            else if (reader.ValueTextEquals("labels"u8))
            {
                meta.Labels = Map(ref reader, ownOnly: false);
            }
            else if (reader.ValueTextEquals("annotations"u8))
            {
                meta.Annotations = Map(ref reader, ownOnly: true);
            }
            else if (reader.ValueTextEquals("ownerReferences"u8))
            {
                meta.OwnerReferences = Owners(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return meta;
    }

    private const string OwnPrefix = "kube-syslog.io/";

    /// <summary>The next value: a string, or null for JSON null.</summary>
    private static string? Text(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"a string was expected in a pod's metadata, not a {reader.TokenType}"),
        };
    }

    /// <summary>The next value, a map of strings; with <paramref name="ownOnly"/>, only the keys of the Forwarder's own
    /// annotations.</summary>
    private static Dictionary<string, string>? Map(ref Utf8JsonReader reader, bool ownOnly)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"labels or annotations must be an object, not a {reader.TokenType}");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool wanted = !ownOnly || (reader.ValueIsEscaped
                ? reader.GetString()!.StartsWith(OwnPrefix, StringComparison.Ordinal)
                : reader.ValueSpan.StartsWith("kube-syslog.io/"u8));
            if (!wanted)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            string key = reader.GetString()!;
            if (Text(ref reader) is { } value)
            {
                map[key] = value;
            }
        }

        return map;
    }

    private static List<V1OwnerReference>? Owners(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"ownerReferences must be an array, not a {reader.TokenType}");
        }

        var owners = new List<V1OwnerReference>(1);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var owner = new V1OwnerReference();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("kind"u8))
                {
                    owner.Kind = Text(ref reader);
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    owner.Name = Text(ref reader);
                }
                else if (reader.ValueTextEquals("apiVersion"u8))
                {
                    owner.ApiVersion = Text(ref reader);
                }
                else if (reader.ValueTextEquals("controller"u8))
                {
                    reader.Read();
                    owner.Controller = reader.TokenType == JsonTokenType.True;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            owners.Add(owner);
        }

        return owners;
    }

    /// <summary>Where the reading is, between buffers.</summary>
    private struct Scan
    {
        public JsonReaderState Reader;
        public bool Started;
        public bool ItemsNext;
        public bool InItems;
        public bool MetadataNext;
        public bool Done;
    }
}
