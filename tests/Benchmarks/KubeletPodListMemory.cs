using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Forwarder.Metadata;
using k8s;
using k8s.Models;

namespace Benchmarks;

/// <summary>
/// What the kubelet path's metadata costs on a node with many pods (issue 19: 10,000 pods ≤ 30 MB), in its own process
/// so the peak is this work's alone:
/// <c>dotnet Benchmarks.dll kubelet-memory generate FILE [PODS]</c> writes a kubelet <c>/pods</c> answer;
/// <c>dotnet Benchmarks.dll kubelet-memory streamed|whole FILE</c> reads it into a <see cref="PodMetadataCache"/>:
/// <c>streamed</c> as the Forwarder does (<see cref="KubeletPodList"/>), <c>whole</c> as the client library would (the
/// PodList deserialized at once, then read pod by pod), the peer it is compared with. Prints the managed heap kept
/// after full collections, the highest managed heap seen while reading (sampled every millisecond) and the peak RSS
/// growth (VmHWM, reset through /proc/self/clear_refs after a warm-up), all against the state before the read.
/// tests/Benchmarks/kubelet/kubelet-memory.sh runs both several times and prints medians.
/// </summary>
internal static class KubeletPodListMemory
{
    public static async Task RunAsync(string[] args)
    {
        string file = args[2];
        if (args[1] == "generate")
        {
            Generate(file, args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10_000);
            return;
        }

        bool whole = args[1] == "whole";
        string warm = Path.Combine(Path.GetTempPath(), $"kubelet-warm-{Environment.ProcessId}.json");
        Generate(warm, 20);
        await ReadAsync(warm, whole, NewCache());
        File.Delete(warm);

        var cache = NewCache();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        File.WriteAllText("/proc/self/clear_refs", "5");
        long rssBefore = Status("VmRSS");
        long peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(1, CancellationToken.None);
            }
        }, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        int pods = await ReadAsync(file, whole, cache);
        watch.Stop();
        peak = Math.Max(peak, GC.GetTotalMemory(false));
        await stop.CancelAsync();
        await sampler;
        long hwm = Status("VmHWM");
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(cache);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{args[1]} pods={pods} cached={cache.Count} document_mb={new FileInfo(file).Length / 1048576.0:F1} "
            + $"retained_mb={(after - before) / 1048576.0:F1} peak_heap_mb={(peak - before) / 1048576.0:F1} "
            + $"peak_rss_mb={(hwm - rssBefore) / 1024.0:F1} seconds={watch.Elapsed.TotalSeconds:F2}"));
    }

    private static PodMetadataCache NewCache() => new(20_000, TimeSpan.FromMinutes(5), TimeProvider.System, new MetadataCounters());

    /// <summary>Each pod as the kubelet source stores it: the reader, the workload resolver (no Job lookups).</summary>
    private static async Task<int> ReadAsync(string file, bool whole, PodMetadataCache cache)
    {
        var reader = new PodMetadataReader(new Forwarder.Configuration.ForwarderOptions().PodLabels);
        var workloads = new WorkloadResolver((_, _, _) => Task.FromResult<V1Job?>(null));
        async Task Apply(V1Pod pod, CancellationToken token)
        {
            if (reader.Read(pod, await workloads.ResolveAsync(pod, token)) is { } metadata)
            {
                cache.Put(metadata);
            }
        }

        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, useAsync: true);
        if (!whole)
        {
            return await KubeletPodList.ReadAsync(stream, Apply, CancellationToken.None);
        }

        var list = await JsonSerializer.DeserializeAsync(stream, SourceGenerationContext.Default.V1PodList);
        foreach (var pod in list!.Items)
        {
            await Apply(pod, CancellationToken.None);
        }

        return list.Items.Count;
    }

    private static long Status(string field) =>
        long.Parse(
            File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture);

    /// <summary>
    /// A PodList of Deployment pods as a kubelet of Kubernetes 1.3x serves them: metadata with six labels, the
    /// kubelet's annotations, an owner and managedFields, a container with env, ports, probes, resources and the
    /// projected service-account volume, and a running status (the fields of <c>kubectl get pod -o json</c> for such a
    /// pod; values made up). About 6 KB per pod.
    /// </summary>
    private static void Generate(string file, int pods)
    {
        var template = JsonNode.Parse(PodTemplate)!.AsObject();
        using var output = File.Create(file);
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("kind", "PodList");
        writer.WriteString("apiVersion", "v1");
        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        writer.WriteStartArray("items");
        for (int i = 0; i < pods; i++)
        {
            string app = $"service-{i % 700}";
            string name = $"{app}-7d4b9c8f6-{i:D5}";
            var pod = (JsonObject)template.DeepClone();
            var meta = pod["metadata"]!;
            meta["name"] = name;
            meta["generateName"] = $"{app}-7d4b9c8f6-";
            meta["namespace"] = $"ns-{i % 40}";
            meta["uid"] = Guid.NewGuid().ToString();
            meta["resourceVersion"] = (1_000_000 + i).ToString(CultureInfo.InvariantCulture);
            meta["labels"]!["app.kubernetes.io/name"] = app;
            meta["labels"]!["app.kubernetes.io/instance"] = app + "-prod";
            meta["labels"]!["app"] = app;
            meta["ownerReferences"]![0]!["name"] = $"{app}-7d4b9c8f6";
            meta["ownerReferences"]![0]!["uid"] = Guid.NewGuid().ToString();
            pod["spec"]!["containers"]![0]!["image"] = $"registry.example/{app}:1.4.{i % 9}";
            pod["status"]!["podIP"] = $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";
            pod.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private const string PodTemplate = """
        {"metadata":{"name":"","generateName":"","namespace":"","uid":"","resourceVersion":"","creationTimestamp":"2026-12-06T10:00:00Z",
        "labels":{"app.kubernetes.io/name":"","app.kubernetes.io/instance":"","app.kubernetes.io/component":"api","app":"","team":"platform",
        "pod-template-hash":"7d4b9c8f6"},
        "annotations":{"kubernetes.io/config.seen":"2026-12-06T10:00:00.270981331Z","kubernetes.io/config.source":"api",
        "kubectl.kubernetes.io/restartedAt":"2026-12-01T08:00:00Z","prometheus.io/scrape":"true","prometheus.io/port":"9090"},
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"","uid":"","controller":true,"blockOwnerDeletion":true}],
        "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2026-12-06T10:00:00Z",
        "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:app.kubernetes.io/component":{},
        "f:app.kubernetes.io/instance":{},"f:app.kubernetes.io/name":{},"f:pod-template-hash":{},"f:team":{}},"f:ownerReferences":{".":{},
        "k:{\"uid\":\"0\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{".":{},"k:{\"name\":\"LOG_LEVEL\"}":{".":{},
        "f:name":{},"f:value":{}}},"f:image":{},"f:imagePullPolicy":{},"f:livenessProbe":{},"f:name":{},"f:ports":{},"f:readinessProbe":{},
        "f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},
        "f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}},
        {"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"2026-12-06T10:00:05Z","fieldsType":"FieldsV1","subresource":"status",
        "fieldsV1":{"f:status":{"f:conditions":{"k:{\"type\":\"ContainersReady\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},
        "f:status":{},"f:type":{}},"k:{\"type\":\"Ready\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}},
        "f:containerStatuses":{},"f:hostIP":{},"f:phase":{},"f:podIP":{},"f:podIPs":{".":{},"k:{\"ip\":\"10.0.0.1\"}":{".":{},"f:ip":{}}},
        "f:startTime":{}}}}]},
        "spec":{"volumes":[{"name":"kube-api-access-x2x9z","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
        {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace",
        "fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],
        "containers":[{"name":"app","image":"","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,
        "protocol":"TCP"}],"env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1",
        "fieldPath":"metadata.name"}}},{"name":"POD_NAMESPACE","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}},
        {"name":"DATABASE_URL","valueFrom":{"secretKeyRef":{"name":"db","key":"url"}}},{"name":"GOMAXPROCS","value":"2"}],
        "resources":{"limits":{"memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},
        "volumeMounts":[{"name":"kube-api-access-x2x9z","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],
        "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,
        "successThreshold":1,"failureThreshold":3},"readinessProbe":{"httpGet":{"path":"/readyz","port":"http","scheme":"HTTP"},"timeoutSeconds":1,
        "periodSeconds":5,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log",
        "terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"allowPrivilegeEscalation":false,
        "readOnlyRootFilesystem":true,"runAsNonRoot":true,"capabilities":{"drop":["ALL"]}}}],"restartPolicy":"Always",
        "terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default",
        "nodeName":"node-1","securityContext":{"seccompProfile":{"type":"RuntimeDefault"}},"schedulerName":"default-scheduler",
        "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
        {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,
        "enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
        "status":{"phase":"Running","conditions":[{"type":"PodReadyToStartContainers","status":"True","lastProbeTime":null,
        "lastTransitionTime":"2026-12-06T10:00:02Z"},{"type":"Initialized","status":"True","lastProbeTime":null,
        "lastTransitionTime":"2026-12-06T10:00:00Z"},{"type":"Ready","status":"True","lastProbeTime":null,
        "lastTransitionTime":"2026-12-06T10:00:05Z"},
        {"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-06T10:00:05Z"},{"type":"PodScheduled",
        "status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-06T10:00:00Z"}],"hostIP":"10.0.0.11","hostIPs":[{"ip":"10.0.0.11"}],
        "podIP":"","podIPs":[{"ip":"10.244.1.23"}],"startTime":"2026-12-06T10:00:00Z","containerStatuses":[{"name":"app",
        "state":{"running":{"startedAt":"2026-12-06T10:00:03Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"registry.example/app:1.4.2",
        "imageID":"registry.example/app@sha256:2fbd3d9ace56ac3ec2775f64f5ec5e6551ab30c5e25cc0c2633f33b15b8ca542",
        "containerID":"containerd://8a5d143fcca3f0b53dfe5f445905a2e82c02f0ff70fc0a98cc37eca389f9480c","started":true}],"qosClass":"Burstable"}}
        """;
}
