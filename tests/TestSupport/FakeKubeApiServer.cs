using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TestSupport;

/// <summary>
/// A stand-in for the Kubernetes API server on 127.0.0.1 (Kestrel), speaking the parts of the real protocol the
/// Forwarder uses, as the Kubernetes documentation's "API Concepts" page describes them: <c>GET /api/v1/pods</c>
/// with <c>fieldSelector=spec.nodeName=…</c>, <c>limit</c> and <c>continue</c> (chunked lists, 410 Expired for a stale
/// continue token), and with <c>watch=true&amp;resourceVersion=N</c> a chunked stream of one JSON event per line
/// (ADDED, MODIFIED, DELETED, BOOKMARK when <c>allowWatchBookmarks</c>, and ERROR with a 410 Status when N is older
/// than the kept history); bearer tokens (401 Status), 403 Status, and <c>GET
/// /apis/batch/v1/namespaces/NS/jobs/NAME</c>.
/// The Status bodies are the API server's own wording. It can drop every watch, forget its history, and go away and
/// come back on the same port. Not a real cluster: no admission, no etcd, one object kind.
/// </summary>
public sealed partial class FakeKubeApiServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), JsonObject> _jobs = [];
    private readonly List<(long Version, string Type, JsonObject Pod)> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly X509Certificate2? _certificate;
    private long _version = 1000;
    private long _oldestWatchable;
    private WebApplication? _app;

    private FakeKubeApiServer(X509Certificate2? certificate) => _certificate = certificate;

    // As the API server writes JSON (Go's encoding/json): quotes as \", not \u0022.
    private static JsonSerializerOptions Json { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Port { get; private set; }

    public Uri Url => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}/");

    /// <summary>The bearer token requests must carry; null: any request is let in.</summary>
    public string? Token { get; set; }

    /// <summary>Answer every pods request with 403 Forbidden (an RBAC rule missing).</summary>
    public bool Forbidden { get; set; }

    /// <summary>The next list request with a continue token gets 410 Expired (the token outlived etcd's
    /// history).</summary>
    public bool ExpireNextContinue { get; set; }

    /// <summary>
    /// Pod list requests (not watches) wait for this to complete before they are answered: a slow first list, as on a
    /// busy API server. Null: answered at once.
    /// </summary>
    public TaskCompletionSource? HoldLists { get; set; }

    /// <summary>Every request's path and query, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public IEnumerable<string> Lists =>
        Requests.Where(r => r.StartsWith("/api/v1/pods?", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal));

    public IEnumerable<string> Watches => Requests.Where(r => r.Contains("watch=true", StringComparison.Ordinal));

    public int OpenWatches
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public static async Task<FakeKubeApiServer> StartAsync(X509Certificate2? certificate = null)
    {
        var server = new FakeKubeApiServer(certificate);
        await server.ListenAsync(0);
        return server;
    }

    /// <summary>Creates a pod (ADDED); returns the resourceVersion it got.</summary>
    public long Add(JsonObject pod) => Change("ADDED", pod, (uid, p) => _pods[uid] = p);

    /// <summary>Changes a pod (MODIFIED).</summary>
    public long Modify(string uid, Action<JsonObject> change)
    {
        lock (_lock)
        {
            var pod = (JsonObject)_pods[uid].DeepClone();
            change(pod);
            return Change("MODIFIED", pod, (id, p) => _pods[id] = p);
        }
    }

    /// <summary>Deletes a pod (DELETED, with its last state).</summary>
    public long Delete(string uid)
    {
        lock (_lock)
        {
            return Change("DELETED", (JsonObject)_pods[uid].DeepClone(), (id, _) => _pods.Remove(id));
        }
    }

    public void AddJob(JsonObject job)
    {
        lock (_lock)
        {
            _jobs[((string)job["metadata"]!["namespace"]!, (string)job["metadata"]!["name"]!)] = job;
        }
    }

    /// <summary>Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks.</summary>
    public void Bookmark()
    {
        lock (_lock)
        {
            string line = Event("BOOKMARK", new JsonObject
            {
                ["kind"] = "Pod",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                watcher.Lines.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>
    /// Forgets the history (as etcd compaction does): a watch from any version seen so far gets 410 Gone; a list then
    /// gives the current state.
    /// </summary>
    public void ForgetHistory()
    {
        lock (_lock)
        {
            _oldestWatchable = _version;
            _history.Clear();
        }
    }

    /// <summary>Ends every open watch by resetting its connection (a load balancer or apiserver restart does
    /// this).</summary>
    public void DropWatches()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Context.Abort();
                watcher.Lines.Writer.TryComplete();
            }
        }
    }

    /// <summary>Goes away: the port refuses connections until <see cref="ComeBackAsync"/>.</summary>
    public async Task GoAwayAsync()
    {
        DropWatches();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Listens again on the same port, with the same pods and history.</summary>
    public Task ComeBackAsync() => ListenAsync(Port);

    public async ValueTask DisposeAsync() => await GoAwayAsync();

    private long Change(string type, JsonObject pod, Action<string, JsonObject> store)
    {
        lock (_lock)
        {
            long version = ++_version;
            pod["metadata"]!["resourceVersion"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string uid = (string)pod["metadata"]!["uid"]!;
            store(uid, pod);
            _history.Add((version, type, (JsonObject)pod.DeepClone()));
            string line = Event(type, pod);
            foreach (var watcher in _watchers.Where(w => w.Matches(pod)))
            {
                watcher.Lines.Writer.TryWrite(line);
            }

            return version;
        }
    }

    private static string Event(string type, JsonNode obj) => new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString(Json);

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                if (_certificate is not null)
                {
                    listen.UseHttps(_certificate);
                }
            });
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            Requests.Enqueue(context.Request.Path + context.Request.QueryString);
            if (Token is { } token && context.Request.Headers.Authorization.ToString() != "Bearer " + token)
            {
                await StatusAsync(context, 401, "Unauthorized", "Unauthorized");
                return;
            }

            await next(context);
        });
        app.MapGet("/api/v1/pods", PodsAsync);
        app.MapGet("/apis/batch/v1/namespaces/{ns}/jobs/{name}", JobAsync);
        app.MapGet("/api/v1/namespaces", NamespacesAsync);
        await app.StartAsync();
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _app = app;
    }

    private async Task PodsAsync(HttpContext context)
    {
        if (Forbidden)
        {
            await StatusAsync(
                context,
                403,
                "Forbidden",
                "pods is forbidden: User \"system:serviceaccount:kube-syslog:log-forwarder\" cannot list resource \"pods\" "
                    + "in API group \"\" at the cluster scope");
            return;
        }

        var query = context.Request.Query;
        string? node = FieldSelectorNode(query["fieldSelector"]);
        if (query["watch"] is ["true" or "1"])
        {
            await WatchAsync(context, node, query);
            return;
        }

        if (HoldLists is { } hold)
        {
            await hold.Task.WaitAsync(context.RequestAborted);
        }

        await ListAsync(context, node, query);
    }

    private async Task JobAsync(HttpContext context, string ns, string name)
    {
        JsonObject? job;
        lock (_lock)
        {
            job = _jobs.TryGetValue((ns, name), out var j) ? (JsonObject)j.DeepClone() : null;
        }

        if (job is null)
        {
            await StatusAsync(context, 404, "NotFound", $"jobs.batch \"{name}\" not found");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(job.ToJsonString(Json));
    }

    /// <summary>The API server's Status object for a failed request.</summary>
    private static Task StatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(StatusJson(code, reason, message));
    }

    private static string StatusJson(int code, string reason, string message) => new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    }.ToJsonString(Json);

    private static string? FieldSelectorNode(string? selector) =>
        selector is { } s && s.StartsWith("spec.nodeName=", StringComparison.Ordinal) ? s["spec.nodeName=".Length..] : null;

    private static bool OnNode(JsonObject pod, string? node) => node is null || (string?)pod["spec"]?["nodeName"] == node;

    private sealed class Watcher(HttpContext context, string? node, bool bookmarks)
    {
        // Unbounded: a test makes a handful of events; the server must never block a change on a slow reader.
        public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();

        public HttpContext Context => context;

        public bool Bookmarks => bookmarks;

        public bool Matches(JsonObject pod) => OnNode(pod, node);
    }
}
