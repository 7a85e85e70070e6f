using Forwarder.Configuration;
using Forwarder.Enrichment;
using Forwarder.Multiline;
using Microsoft.Extensions.Configuration;

namespace Forwarder.Tests.Configuration;

public sealed class MultilineSettingsTests
{
    private const string Known = "known: java, python, go, node, dotnet, ruby; or auto, off, start:REGEX, continuation:REGEX";

    [Fact]
    public void JoiningIsAutoUnlessConfigured()
    {
        var options = Read(out var errors, []);

        Assert.Empty(errors);
        Assert.Same(MultilineSpec.Auto, options.Multiline);
        Assert.Empty(options.MultilineRules);
        Assert.Equal((500, TimeSpan.FromSeconds(1)), (options.MultilineMaxLines, options.MultilineFlushTimeout));
    }

    [Fact]
    public void TheSwitchesSetTheGlobalSpecAndThePodRulesInOrder()
    {
        var options = Read(
            out var errors,
            "--multiline", "java,go", "--multiline-rule", "shop/web-*=python", "--multiline-rule", "*/*/istio-proxy=off",
            "--multiline-max-lines", "50", "--multiline-flush-timeout", "250ms");

        Assert.Empty(errors);
        Assert.Equal(MultilinePresets.Java | MultilinePresets.Go, options.Multiline.Presets);
        Assert.Equal(["shop/web-*=python", "*/*/istio-proxy=off"], options.MultilineRules.Select(r => r.Text));
        Assert.Equal((50, TimeSpan.FromMilliseconds(250)), (options.MultilineMaxLines, options.MultilineFlushTimeout));
        var settings = new MultilineSettings(options.Multiline, options.MultilineRules, options.MultilineMaxLines, options.MultilineFlushTimeout);
        Assert.Null(settings.JoinerFor(new PodIdentity("mesh", "a-0", "istio-proxy", null, null), 1024));
        Assert.NotNull(settings.JoinerFor(new PodIdentity("shop", "web-0", "app", null, null), 1024));
    }

    [Theory]
    [InlineData("--multiline", "jav", $"Forwarder:Multiline names an unknown preset 'jav' ({Known}), was 'jav'")]
    [InlineData("--multiline", "start:([a-z",
        "Forwarder:Multiline has a bad regular expression (Invalid pattern '([a-z' at offset 5. Unterminated [] set.), was 'start:([a-z'")]
    [InlineData("--multiline-rule", "shop=java",
        "Forwarder:MultilineRules:0 must be NAMESPACE/POD=SPEC or NAMESPACE/POD/CONTAINER=SPEC "
            + "(globs: *, ?, [a-z]; e.g. shop/web-*=java), was 'shop=java'")]
    [InlineData("--multiline-rule", "shop/*=rubyy", $"Forwarder:MultilineRules:0 names an unknown preset 'rubyy' ({Known}), was 'shop/*=rubyy'")]
    [InlineData("--multiline-max-lines", "1", "Forwarder:MultilineMaxLines must be a whole number from 2 to 100000, was '1'")]
    public void ABadValueIsReportedWithItsKeyAndWhy(string name, string value, string expected)
    {
        Read(out var errors, name, value);

        Assert.Equal([expected], errors);
    }

    private static ForwarderOptions Read(out List<string> errors, params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, out var values, out _, out string? error), error);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return ForwarderOptionsReader.Read(configuration, out errors);
    }
}
