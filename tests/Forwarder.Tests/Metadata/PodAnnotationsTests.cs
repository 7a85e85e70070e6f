using Forwarder.Metadata;
using Forwarder.RateLimiting;
using TestSupport;

namespace Forwarder.Tests.Metadata;

public sealed class PodAnnotationsTests
{
    [Fact]
    public void ReadsAPresetAndARate()
    {
        var annotations = PodAnnotations.Read(new Dictionary<string, string>
        {
            [PodAnnotations.MultilineAnnotation] = "java",
            [PodAnnotations.RateLimitAnnotation] = "500/s",
        });

        Assert.Equal("java", annotations.Multiline!.Text);
        Assert.Equal(new RateLimit(500, TimeSpan.FromSeconds(1), 500), annotations.RateLimit);
        Assert.Empty(annotations.Unknown);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("auto")]
    [InlineData("python,go")]
    [InlineData(" Java ")]
    public void TakesEveryMultilineValueOfTheSwitchButExpressions(string value)
    {
        var annotations = PodAnnotations.Read(new Dictionary<string, string> { [PodAnnotations.MultilineAnnotation] = value });
        Assert.NotNull(annotations.Multiline);
        Assert.Empty(annotations.Unknown);
    }

    [Theory]
    [InlineData(PodAnnotations.MultilineAnnotation, "cobol")]
    [InlineData(PodAnnotations.MultilineAnnotation, "start:^\\d")]
    [InlineData(PodAnnotations.MultilineAnnotation, "continuation:^\\s")]
    [InlineData(PodAnnotations.MultilineAnnotation, "")]
    [InlineData(PodAnnotations.RateLimitAnnotation, "fast")]
    [InlineData(PodAnnotations.RateLimitAnnotation, "500/h")]
    [InlineData(PodAnnotations.RateLimitAnnotation, "")]
    public void AValueNotUnderstoodIsKeptToBeLoggedAndIgnored(string annotation, string value)
    {
        var annotations = PodAnnotations.Read(new Dictionary<string, string> { [annotation] = value, ["other.io/x"] = "y" });
        Assert.Null(annotations.Multiline);
        Assert.Null(annotations.RateLimit);
        var unknown = Assert.Single(annotations.Unknown);
        Assert.Equal((annotation, value), (unknown.Annotation, unknown.Value));
    }

    [Fact]
    public void APodWithoutThemSharesOneEmptyInstance()
    {
        Assert.Same(PodAnnotations.None, PodAnnotations.Read(null));
        Assert.Same(PodAnnotations.None, PodAnnotations.Read(new Dictionary<string, string> { ["kube-syslog.io/exclude"] = "true" }));
    }

    [Fact]
    public void AnUnknownValueIsLoggedOncePerPodAndValue()
    {
        var logger = new CollectingLogger();
        var bad = Pod(new() { [PodAnnotations.RateLimitAnnotation] = "lots", [PodAnnotations.MultilineAnnotation] = "cobol" });
        PodAnnotations.LogUnknown(logger, bad, null);
        PodAnnotations.LogUnknown(logger, bad with { Workload = "Deployment/web" }, bad);
        Assert.Equal(2, logger.WithEvent(880).Count);
        Assert.Contains(logger.WithEvent(880), e => e.Message.Contains(
            "Pod shop/web: annotation kube-syslog.io/rate-limit has the unknown value 'lots'", StringComparison.Ordinal));

        // Changed to another bad value: said again, for that value only.
        var worse = Pod(new() { [PodAnnotations.RateLimitAnnotation] = "more", [PodAnnotations.MultilineAnnotation] = "cobol" });
        PodAnnotations.LogUnknown(logger, worse, bad);
        Assert.Equal(3, logger.WithEvent(880).Count);
        Assert.Contains("'more'", logger.WithEvent(880)[^1].Message, StringComparison.Ordinal);
    }

    private static PodMetadata Pod(Dictionary<string, string> annotations) =>
        new("uid-web", "shop", "web", [], null, ExcludedStreams.None) { Annotations = PodAnnotations.Read(annotations) };
}
