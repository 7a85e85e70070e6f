using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace TestSupport;

/// <summary>
/// <c>GET /api/v1/namespaces</c>: a NamespaceList (not paged: a cluster has few), and with <c>watch=true</c> a stream
/// of ADDED/MODIFIED/DELETED events after the requested version, sharing the pods' resourceVersion counter as the real
/// server's single etcd revision does. Namespace objects as <c>kubectl get namespace -o json</c> shows them (the
/// automatic <c>kubernetes.io/metadata.name</c> label, spec.finalizers, status.phase; the Kubernetes API reference for
/// Namespace v1 core); values made up. A namespace watch older than the history gets 410 as pods do.
/// </summary>
public sealed partial class FakeKubeApiServer
{
    private readonly Dictionary<string, JsonObject> _namespaces = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Type, JsonObject Namespace)> _namespaceHistory = [];
    private readonly List<Channel<string>> _namespaceWatchers = [];

    /// <summary>Answer every namespaces request with 403 Forbidden (the optional RBAC rule not applied).</summary>
    public bool NamespacesForbidden { get; set; }

    public int OpenNamespaceWatches
    {
        get
        {
            lock (_lock)
            {
                return _namespaceWatchers.Count;
            }
        }
    }

    /// <summary>A namespace object with these labels (and the automatic name label).</summary>
    public static JsonObject Namespace(string name, IDictionary<string, string>? labels = null)
    {
        var all = new JsonObject { ["kubernetes.io/metadata.name"] = name };
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return new JsonObject
        {
            ["kind"] = "Namespace",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["uid"] = Guid.NewGuid().ToString(),
                ["resourceVersion"] = "0",
                ["creationTimestamp"] = "2026-12-01T08:00:00Z",
                ["labels"] = all,
            },
            ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
            ["status"] = new JsonObject { ["phase"] = "Active" },
        };
    }

    public long AddNamespace(JsonObject ns) => ChangeNamespace("ADDED", ns, remove: false);

    /// <summary>Sets (or, with null, removes) one label of a namespace (MODIFIED).</summary>
    public long LabelNamespace(string name, string key, string? value)
    {
        lock (_lock)
        {
            var ns = (JsonObject)_namespaces[name].DeepClone();
            var labels = ns["metadata"]!["labels"]!.AsObject();
            if (value is null)
            {
                labels.Remove(key);
            }
            else
            {
                labels[key] = value;
            }

            return ChangeNamespace("MODIFIED", ns, remove: false);
        }
    }

    public long DeleteNamespace(string name)
    {
        lock (_lock)
        {
            return ChangeNamespace("DELETED", (JsonObject)_namespaces[name].DeepClone(), remove: true);
        }
    }

    private long ChangeNamespace(string type, JsonObject ns, bool remove)
    {
        lock (_lock)
        {
            long version = ++_version;
            ns["metadata"]!["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            string name = (string)ns["metadata"]!["name"]!;
            if (remove)
            {
                _namespaces.Remove(name);
            }
            else
            {
                _namespaces[name] = ns;
            }

            _namespaceHistory.Add((version, type, (JsonObject)ns.DeepClone()));
            string line = Event(type, ns);
            foreach (var watcher in _namespaceWatchers)
            {
                watcher.Writer.TryWrite(line);
            }

            return version;
        }
    }

    private async Task NamespacesAsync(HttpContext context)
    {
        if (NamespacesForbidden)
        {
            await StatusAsync(
                context,
                403,
                "Forbidden",
                "namespaces is forbidden: User \"system:serviceaccount:kube-syslog:log-forwarder\" cannot list resource \"namespaces\" "
                    + "in API group \"\" at the cluster scope");
            return;
        }

        var query = context.Request.Query;
        context.Response.ContentType = "application/json";
        if (query["watch"] is not ["true" or "1"])
        {
            string list;
            lock (_lock)
            {
                list = new JsonObject
                {
                    ["kind"] = "NamespaceList",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = new JsonArray([.. _namespaces.Values.Select(n =>
                    {
                        var item = (JsonObject)n.DeepClone();
                        item.Remove("kind");
                        item.Remove("apiVersion");
                        return (JsonNode)item;
                    })]),
                }.ToJsonString(Json);
            }

            await context.Response.WriteAsync(list);
            return;
        }

        long from = long.TryParse(query["resourceVersion"], CultureInfo.InvariantCulture, out long v) ? v : 0;
        var lines = Channel.CreateUnbounded<string>();
        lock (_lock)
        {
            if (from < _oldestWatchable)
            {
                lines.Writer.TryWrite(new JsonObject
                {
                    ["type"] = "ERROR",
                    ["object"] = JsonNode.Parse(StatusJson(410, "Expired", $"too old resource version: {from} ({_oldestWatchable})")),
                }.ToJsonString(Json));
                lines.Writer.TryComplete();
            }
            else
            {
                foreach (var (_, type, ns) in _namespaceHistory.Where(h => h.Version > from))
                {
                    lines.Writer.TryWrite(Event(type, ns));
                }

                _namespaceWatchers.Add(lines);
            }
        }

        await context.Response.StartAsync();
        try
        {
            await foreach (string line in lines.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left.
        }
        finally
        {
            lock (_lock)
            {
                _namespaceWatchers.Remove(lines);
            }
        }
    }
}
