using Forwarder.Metadata;
using TestSupport;

namespace Forwarder.Tests.Metadata;

/// <summary>
/// The multiline and rate-limit annotations as the metadata source reads them from the stand-in API server.
/// </summary>
public sealed class AnnotationSourceTests
{
    [Fact]
    public async Task AnUnknownMultilineOrRateLimitValueIsLoggedOncePerPodAndIgnored()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Add(KubePods.Bare("shop", "web", "uid-web", "node-1")
            .WithAnnotation(PodAnnotations.MultilineAnnotation, "cobol")
            .WithAnnotation(PodAnnotations.RateLimitAnnotation, "lots"));
        server.Add(KubePods.Bare("shop", "api", "uid-api", "node-1").WithAnnotation(PodAnnotations.RateLimitAnnotation, "500/s"));
        await using var source = new SourceHarness(server.Url);
        await source.UntilLiveAsync();
        server.Modify("uid-web", p => p.WithLabel("app", "web"));
        server.Modify("uid-web", p => p.WithLabel("app", "web2"));
        await Wait.UntilAsync(() => source.Find("shop", "web", "uid-web")!.Labels is [{ Value: "web2" }], "both changes");

        var warnings = source.Log.WithEvent(880);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Message.Contains(
            "Pod shop/web: annotation kube-syslog.io/multiline has the unknown value 'cobol'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Message.Contains(
            "Pod shop/web: annotation kube-syslog.io/rate-limit has the unknown value 'lots'", StringComparison.Ordinal));
        var web = source.Find("shop", "web", "uid-web")!.Annotations;
        Assert.Null(web.Multiline);
        Assert.Null(web.RateLimit);
        Assert.Equal("500/s", source.Find("shop", "api", "uid-api")!.Annotations.RateLimit!.ToString());
    }
}
