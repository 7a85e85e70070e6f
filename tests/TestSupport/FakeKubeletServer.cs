using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TestSupport;

/// <summary>
/// A stand-in for a node's kubelet on 127.0.0.1 (Kestrel), serving <c>GET /pods</c> as the kubelet does: one PodList
/// of every pod it runs, <c>{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[…]}</c>, items without
/// kind/apiVersion and with the annotations the kubelet adds (<c>kubernetes.io/config.seen</c>,
/// <c>kubernetes.io/config.source</c>), static pods with the config hash as uid, no resourceVersion and
/// <c>creationTimestamp: null</c>. The shape is that of a real kubelet answer kept as a test fixture by the Datadog
/// agent (DataDog/datadog-agent, pkg/util/kubernetes/kubelet/testdata/podlist_1.8-2.json); field values are made up.
/// Bearer tokens (401 <c>Unauthorized</c>) and the kubelet's authorizer wording for a 403. It can go away and come
/// back on the same port. Not a real kubelet: one endpoint, no authentication webhook.
/// </summary>
public sealed class FakeKubeletServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _pods = new(StringComparer.Ordinal);
    private readonly X509Certificate2? _certificate;
    private WebApplication? _app;
    private string _body = "";

    private FakeKubeletServer(X509Certificate2? certificate) => _certificate = certificate;

    // As the kubelet writes JSON (Go's encoding/json): quotes as \", not \u0022.
    private static JsonSerializerOptions Json { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Port { get; private set; }

    public Uri Url => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}/pods");

    /// <summary>The bearer token requests must carry; null: any request is let in.</summary>
    public string? Token { get; set; }

    /// <summary>Answer with 403 as the kubelet does when the SubjectAccessReview for nodes/proxy is denied.</summary>
    public bool Forbidden { get; set; }

    /// <summary>Answer with this text instead of the PodList (a broken or cut answer).</summary>
    public string? Garbage { get; set; }

    /// <summary>Every request's path, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The Authorization headers of the requests, in arrival order.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    public int Fetches => Requests.Count(r => r == "/pods");

    public static async Task<FakeKubeletServer> StartAsync(X509Certificate2? certificate = null)
    {
        var server = new FakeKubeletServer(certificate);
        await server.ListenAsync(0);
        return server;
    }

    /// <summary>Runs a pod (shaped by <see cref="KubePods"/>): it is in every answer from now on.</summary>
    public void Add(JsonObject pod)
    {
        var item = (JsonObject)pod.DeepClone();
        item.Remove("kind");
        item.Remove("apiVersion");
        var metadata = item["metadata"]!.AsObject();
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations["kubernetes.io/config.seen"] = "2026-12-06T10:00:00.270981331Z";
        annotations["kubernetes.io/config.source"] = "api";
        metadata["annotations"] = annotations;
        lock (_lock)
        {
            _pods[(string)metadata["uid"]!] = item;
            _body = "";
        }
    }

    /// <summary>A static pod from a manifest file, as the kubelet lists it: no resourceVersion, no owner.</summary>
    public void AddStatic(string ns, string name, string hash, string node, IDictionary<string, string>? labels = null)
    {
        var pod = KubePods.Bare(ns, name, hash, node, labels);
        var metadata = pod["metadata"]!.AsObject();
        metadata.Remove("resourceVersion");
        metadata["creationTimestamp"] = null;
        metadata["annotations"] = new JsonObject
        {
            ["kubernetes.io/config.hash"] = hash,
            ["kubernetes.io/config.source"] = "file",
        };
        Add(pod);
        lock (_lock)
        {
            _pods[hash]["metadata"]!["annotations"]!["kubernetes.io/config.source"] = "file";
        }
    }

    /// <summary>Changes a pod (its resourceVersion moves on, as the API server's would).</summary>
    public void Modify(string uid, Action<JsonObject> change)
    {
        lock (_lock)
        {
            var pod = _pods[uid];
            change(pod);
            string version = (string?)pod["metadata"]!["resourceVersion"] ?? "0";
            pod["metadata"]!["resourceVersion"] = (long.Parse(version, System.Globalization.CultureInfo.InvariantCulture) + 1)
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
            _body = "";
        }
    }

    /// <summary>The pod is gone from the node (deleted and cleaned up).</summary>
    public void Remove(string uid)
    {
        lock (_lock)
        {
            _pods.Remove(uid);
            _body = "";
        }
    }

    /// <summary>Goes away: the port refuses connections until <see cref="ComeBackAsync"/>.</summary>
    public async Task GoAwayAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>Listens again on the same port, with the same pods.</summary>
    public Task ComeBackAsync() => ListenAsync(Port);

    public async ValueTask DisposeAsync() => await GoAwayAsync();

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
        app.MapGet("/pods", PodsAsync);
        await app.StartAsync();
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _app = app;
    }

    private async Task PodsAsync(HttpContext context)
    {
        Requests.Enqueue(context.Request.Path);
        string authorization = context.Request.Headers.Authorization.ToString();
        Authorizations.Enqueue(authorization);
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (Token is { } token && authorization != "Bearer " + token)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("Unauthorized");
            return;
        }

        if (Forbidden)
        {
            // The kubelet's own wording (pkg/kubelet/server/auth.go).
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync(
                "Forbidden (user=system:serviceaccount:kube-syslog:log-forwarder, verb=get, resource=nodes, subresource(s)=[proxy])");
            return;
        }

        if (Garbage is { } garbage)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(garbage);
            return;
        }

        string body;
        lock (_lock)
        {
            if (_body.Length == 0)
            {
                _body = new JsonObject
                {
                    ["kind"] = "PodList",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["items"] = new JsonArray([.. _pods.Values.Select(p => (JsonNode)p.DeepClone())]),
                }.ToJsonString(Json);
            }

            body = _body;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }
}
