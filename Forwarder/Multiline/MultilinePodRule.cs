using Forwarder.Discovery;
using Forwarder.Enrichment;

namespace Forwarder.Multiline;

/// <summary>
/// One <c>--multiline-rule</c>: <c>NAMESPACE/POD=SPEC</c> or <c>NAMESPACE/POD/CONTAINER=SPEC</c>, each part a glob
/// (<c>shop/web-*=java</c>, <c>*/*/istio-proxy=off</c>). The first rule that matches a container wins; containers no
/// rule matches, and files outside Kubernetes' layout, take <c>--multiline</c>.
/// </summary>
public sealed class MultilinePodRule
{
    private readonly GlobPattern _pods;
    private readonly bool _withContainer;

    private MultilinePodRule(string text, GlobPattern pods, bool withContainer, MultilineSpec spec)
    {
        Text = text;
        _pods = pods;
        _withContainer = withContainer;
        Spec = spec;
    }

    public string Text { get; }

    public MultilineSpec Spec { get; }

    public bool Matches(PodIdentity pod) =>
        _pods.IsMatch(_withContainer ? $"/{pod.Namespace}/{pod.Pod}/{pod.Container}" : $"/{pod.Namespace}/{pod.Pod}");

    public static bool TryParse(string text, out MultilinePodRule? rule, out string? why)
    {
        rule = null;
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        string selector = equals < 0 ? text : text[..equals].Trim();
        int parts = selector.Split('/').Length;
        if (equals <= 0 || parts is < 2 or > 3 || selector.Split('/').Any(p => p.Length == 0 || p.Contains("**", StringComparison.Ordinal)))
        {
            why = "must be NAMESPACE/POD=SPEC or NAMESPACE/POD/CONTAINER=SPEC (globs: *, ?, [a-z]; e.g. shop/web-*=java)";
            return false;
        }

        if (!MultilineSpec.TryParse(text[(equals + 1)..], out var spec, out why))
        {
            return false;
        }

        GlobPattern pods;
        try
        {
            pods = GlobPattern.Parse("/" + selector);
        }
        catch (ArgumentException e)
        {
            why = $"has a bad glob ({e.Message})";
            return false;
        }

        rule = new MultilinePodRule(text, pods, parts == 3, spec);
        return true;
    }

    /// <summary>
    /// The spec for <paramref name="pod"/>: the first matching rule's, else <paramref name="fallback"/>.
    /// </summary>
    public static MultilineSpec For(PodIdentity? pod, IReadOnlyList<MultilinePodRule> rules, MultilineSpec fallback)
    {
        if (pod is not null)
        {
            foreach (var rule in rules)
            {
                if (rule.Matches(pod))
                {
                    return rule.Spec;
                }
            }
        }

        return fallback;
    }

    public override string ToString() => Text;
}
