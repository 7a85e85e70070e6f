using System.Text.Json.Nodes;

namespace TestSupport;

/// <summary>
/// Pod and Job objects as the API server returns them (the shape of <c>kubectl get pod -o json</c> for pods made by a
/// Deployment's ReplicaSet, by a CronJob's Job and bare pods: apiVersion, kind, metadata with uid, resourceVersion,
/// labels, annotations and ownerReferences, spec.nodeName, status.phase). Sources for the shape: the Kubernetes API
/// reference for Pod v1 core and ObjectMeta, and kubernetes/kubernetes test/e2e fixtures; field values are made up.
/// </summary>
public static class KubePods
{
    /// <summary>A pod of Deployment <paramref name="deployment"/>: owned by ReplicaSet DEPLOYMENT-HASH.</summary>
    public static JsonObject OfDeployment(
        string ns, string name, string uid, string node, string deployment, string hash, IDictionary<string, string>? labels = null) =>
        Pod(ns, name, uid, node, Merge(labels, ("pod-template-hash", hash)), ("apps/v1", "ReplicaSet", $"{deployment}-{hash}"));

    /// <summary>A pod of Job <paramref name="job"/> (labels as the Job controller sets them).</summary>
    public static JsonObject OfJob(string ns, string name, string uid, string node, string job) =>
        Pod(ns, name, uid, node, Merge(null, ("batch.kubernetes.io/job-name", job), ("job-name", job)), ("batch/v1", "Job", job));

    public static JsonObject Bare(string ns, string name, string uid, string node, IDictionary<string, string>? labels = null) =>
        Pod(ns, name, uid, node, Merge(labels), null);

    /// <summary>A Job made by CronJob <paramref name="cronJob"/> (null: a Job made by hand).</summary>
    public static JsonObject Job(string ns, string name, string? cronJob)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["uid"] = Guid.NewGuid().ToString(),
            ["resourceVersion"] = "1",
            ["creationTimestamp"] = "2026-12-06T02:00:00Z",
        };
        if (cronJob is not null)
        {
            metadata["ownerReferences"] = new JsonArray(Owner("batch/v1", "CronJob", cronJob));
        }

        return new JsonObject
        {
            ["kind"] = "Job",
            ["apiVersion"] = "batch/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["backoffLimit"] = 6, ["completions"] = 1, ["parallelism"] = 1 },
            ["status"] = new JsonObject { ["active"] = 1 },
        };
    }

    public static JsonObject WithAnnotation(this JsonObject pod, string key, string value)
    {
        var metadata = pod["metadata"]!.AsObject();
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[key] = value;
        metadata["annotations"] = annotations;
        return pod;
    }

    public static JsonObject WithLabel(this JsonObject pod, string key, string value)
    {
        pod["metadata"]!["labels"]![key] = value;
        return pod;
    }

    private static JsonObject Pod(
        string ns, string name, string uid, string node, JsonObject labels, (string ApiVersion, string Kind, string Name)? owner)
    {
        var metadata = new JsonObject
        {
            ["name"] = name,
            ["generateName"] = owner is { } o ? o.Name + "-" : null,
            ["namespace"] = ns,
            ["uid"] = uid,
            ["resourceVersion"] = "0",
            ["creationTimestamp"] = "2026-12-06T10:00:00Z",
            ["labels"] = labels,
            ["annotations"] = new JsonObject { ["kubectl.kubernetes.io/restartedAt"] = "2026-12-01T08:00:00Z" },
        };
        if (owner is { } reference)
        {
            metadata["ownerReferences"] = new JsonArray(Owner(reference.ApiVersion, reference.Kind, reference.Name));
        }

        return new JsonObject
        {
            ["kind"] = "Pod",
            ["apiVersion"] = "v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "app",
                    ["image"] = "registry.example/app:1.4.2",
                    ["imagePullPolicy"] = "IfNotPresent",
                    ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "64Mi" } },
                    ["terminationMessagePath"] = "/dev/termination-log",
                    ["terminationMessagePolicy"] = "File",
                }),
                ["dnsPolicy"] = "ClusterFirst",
                ["nodeName"] = node,
                ["restartPolicy"] = "Always",
                ["schedulerName"] = "default-scheduler",
                ["serviceAccountName"] = "default",
                ["terminationGracePeriodSeconds"] = 30,
            },
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["hostIP"] = "10.0.0.11",
                ["podIP"] = "10.244.1.23",
                ["qosClass"] = "Burstable",
                ["startTime"] = "2026-12-06T10:00:01Z",
            },
        };
    }

    private static JsonObject Owner(string apiVersion, string kind, string name) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = name,
        ["uid"] = Guid.NewGuid().ToString(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    private static JsonObject Merge(IDictionary<string, string>? labels, params (string Key, string Value)[] extra)
    {
        var merged = new JsonObject();
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            merged[key] = value;
        }

        foreach (var (key, value) in extra)
        {
            merged[key] = value;
        }

        return merged;
    }
}
