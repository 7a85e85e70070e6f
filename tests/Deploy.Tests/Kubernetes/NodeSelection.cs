using YamlDotNet.RepresentationModel;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The scheduler's label rules for a pod spec: its <c>nodeSelector</c> and its required node affinity, whose terms are
/// ORed and whose expressions within a term are ANDed (In, NotIn, Exists, DoesNotExist; NotIn and DoesNotExist take
/// nodes without the label). https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
/// </summary>
internal static class NodeSelection
{
    public static bool Admits(YamlNode podSpec, IReadOnlyDictionary<string, string> nodeLabels)
    {
        if (podSpec.Scalars("nodeSelector").Any(s => !nodeLabels.TryGetValue(s.Key, out string? value) || value != s.Value))
        {
            return false;
        }

        var terms = podSpec.Items("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms").ToList();
        return terms.Count == 0 || terms.Any(t => t.Items("matchExpressions").All(e => Matches(e, nodeLabels)));
    }

    private static bool Matches(YamlNode expression, IReadOnlyDictionary<string, string> labels)
    {
        bool has = labels.TryGetValue(expression.Required("key"), out string? value);
        var values = expression.Items("values").Select(v => ((YamlScalarNode)v).Value).ToList();
        return expression.Required("operator") switch
        {
            "In" => has && values.Contains(value),
            "NotIn" => !has || !values.Contains(value),
            "Exists" => has,
            "DoesNotExist" => !has,
            string other => throw new Xunit.Sdk.XunitException($"operator {other} is not modelled here"),
        };
    }
}
