using Forwarder.Enrichment;
using Forwarder.Multiline;

namespace Forwarder.Tests.Multiline;

public sealed class MultilineSpecTests
{
    [Theory]
    [InlineData("auto", MultilinePresets.All)]
    [InlineData("off", MultilinePresets.None)]
    [InlineData("java", MultilinePresets.Java)]
    [InlineData("Java, python,go", MultilinePresets.Java | MultilinePresets.Python | MultilinePresets.Go)]
    [InlineData("node,dotnet,ruby", MultilinePresets.Node | MultilinePresets.DotNet | MultilinePresets.Ruby)]
    public void ReadsPresets(string text, MultilinePresets expected)
    {
        Assert.True(MultilineSpec.TryParse(text, out var spec, out string? why), why);
        Assert.Equal(expected, spec.Presets);
        Assert.Equal(expected == MultilinePresets.None, spec.CreateRule() is null);
    }

    [Fact]
    public void AnUnknownPresetIsNamedWithTheKnownOnes()
    {
        Assert.False(MultilineSpec.TryParse("java,jav", out _, out string? why));
        Assert.Equal(
            "names an unknown preset 'jav' (known: java, python, go, node, dotnet, ruby; or auto, off, start:REGEX, continuation:REGEX)",
            why);
    }

    [Theory]
    [InlineData("start:([a-z", "has a bad regular expression (")]
    [InlineData("continuation:", "has an empty regular expression")]
    public void ABadExpressionSaysWhy(string text, string expected)
    {
        Assert.False(MultilineSpec.TryParse(text, out _, out string? why));
        Assert.StartsWith(expected, why, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePodRuleThatMatchesFirstWinsAndOthersTakeTheDefault()
    {
        Assert.True(MultilinePodRule.TryParse("shop/web-*=java", out var web, out _));
        Assert.True(MultilinePodRule.TryParse("shop/*/istio-proxy=off", out var proxy, out _));
        Assert.True(MultilinePodRule.TryParse("shop/*=python", out var shop, out _));
        MultilinePodRule[] rules = [web!, proxy!, shop!];

        Assert.Equal("java", MultilinePodRule.For(Pod("shop", "web-7d9f8c6b5d-x2k4p", "app"), rules, MultilineSpec.Auto).Text);
        Assert.Equal("off", MultilinePodRule.For(Pod("shop", "cart-0", "istio-proxy"), rules, MultilineSpec.Auto).Text);
        Assert.Equal("python", MultilinePodRule.For(Pod("shop", "cart-0", "app"), rules, MultilineSpec.Auto).Text);
        Assert.Equal("auto", MultilinePodRule.For(Pod("default", "web-1", "app"), rules, MultilineSpec.Auto).Text);
        Assert.Equal("auto", MultilinePodRule.For(null, rules, MultilineSpec.Auto).Text);
    }

    [Theory]
    [InlineData("shop=java", "must be NAMESPACE/POD=SPEC")]
    [InlineData("shop/web-*", "must be NAMESPACE/POD=SPEC")]
    [InlineData("a/b/c/d=java", "must be NAMESPACE/POD=SPEC")]
    [InlineData("shop/web-*=pyhton", "names an unknown preset 'pyhton'")]
    public void ABadPodRuleSaysWhy(string text, string expected)
    {
        Assert.False(MultilinePodRule.TryParse(text, out _, out string? why));
        Assert.StartsWith(expected, why, StringComparison.Ordinal);
    }

    private static PodIdentity Pod(string ns, string pod, string container) => new(ns, pod, container, null, null);
}
