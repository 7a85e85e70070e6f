using Forwarder.Metadata;
using TestSupport;

namespace Forwarder.Tests.Metadata;

/// <summary>
/// The kubelet source against the stand-in kubelet: labels and owners, fetches asked for by a new pod, deleted pods,
/// the kubelet going away, 401 and 403, and its TLS (a CA file, the insecure switch, a certificate from another CA).
/// </summary>
public sealed class KubeletPodSourceTests
{
    [Fact]
    public async Task ReadsLabelsAndOwnerWorkloadsFromTheKubeletsPodsWithTheToken()
    {
        using var dir = TempDirectory.Create();
        string token = dir.Combine("token");
        File.WriteAllText(token, "the-token\n");
        await using var kubelet = await FakeKubeletServer.StartAsync();
        kubelet.Token = "the-token";
        await using var api = await FakeKubeApiServer.StartAsync();
        api.AddJob(KubePods.Job("batch", "nightly-29422080", "nightly"));
        kubelet.Add(KubePods.OfDeployment("shop", "web-5f7c9-aaaaa", "uid-web", "node-1", "web", "5f7c9",
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "web", ["team"] = "shop" }));
        kubelet.Add(KubePods.OfJob("batch", "nightly-29422080-x7k2p", "uid-cron", "node-1", "nightly-29422080"));
        kubelet.Add(KubePods.OfJob("batch", "manual-1-q9z8w", "uid-job", "node-1", "manual-1"));
        kubelet.Add(KubePods.Bare("shop", "debug", "uid-bare", "node-1", new Dictionary<string, string> { ["app"] = "debug" }));
        kubelet.AddStatic("kube-system", "etcd-node-1", "0a8863810b43d4d891fab0af80e28e4c", "node-1",
            new Dictionary<string, string> { ["k8s-app"] = "etcd" });

        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet, token), api.Url);
        await source.UntilLiveAsync();

        var web = source.Find("shop", "web-5f7c9-aaaaa", "uid-web")!;
        Assert.Equal("Deployment/web", web.Workload);
        Assert.Equal([new KeyValuePair<string, string>("app.kubernetes.io/name", "web")], web.Labels);
        Assert.Equal("CronJob/nightly", source.Find("batch", "nightly-29422080-x7k2p", "uid-cron")!.Workload);
        Assert.Equal("Job/manual-1", source.Find("batch", "manual-1-q9z8w", "uid-job")!.Workload);
        Assert.Null(source.Find("shop", "debug", "uid-bare")!.Workload);
        var etcd = source.Find("kube-system", "etcd-node-1", "0a8863810b43d4d891fab0af80e28e4c")!;
        Assert.Equal([new KeyValuePair<string, string>("k8s-app", "etcd")], etcd.Labels);
        Assert.Equal(5, source.Cache.Count);
        Assert.Equal(["Bearer the-token"], kubelet.Authorizations);

        // The API server is asked only for the two Jobs, once each, and not again by a later fetch of unchanged pods.
        source.Source.RequestFetch();
        await Wait.UntilAsync(() => source.Counters.Lists == 2, "the second fetch");
        Assert.Equal(
            ["/apis/batch/v1/namespaces/batch/jobs/manual-1", "/apis/batch/v1/namespaces/batch/jobs/nightly-29422080"],
            api.Requests.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WithoutAnApiServerAJobsPodsAreNamedByTheJob()
    {
        await using var kubelet = await FakeKubeletServer.StartAsync();
        kubelet.Add(KubePods.OfJob("batch", "nightly-29422080-x7k2p", "uid-cron", "node-1", "nightly-29422080"));
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet));
        await source.UntilLiveAsync();
        Assert.Equal("Job/nightly-29422080", source.Find("batch", "nightly-29422080-x7k2p", "uid-cron")!.Workload);
    }

    [Fact]
    public async Task APodCreatedBetweenPollsIsFetchedWhenAskedForAndKeptAfterItIsGone()
    {
        await using var kubelet = await FakeKubeletServer.StartAsync();
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet));
        await source.UntilLiveAsync();
        Assert.Equal(1, kubelet.Fetches);

        kubelet.Add(KubePods.OfDeployment("shop", "api-6b8d4-ccccc", "uid-api", "node-1", "api", "6b8d4"));
        source.Source.RequestFetch();
        await Wait.UntilAsync(() => source.Find("shop", "api-6b8d4-ccccc", "uid-api") is not null, "the pod from the asked-for fetch");

        // Gone from the kubelet: the next fetch marks it deleted, and it stays for the grace period.
        kubelet.Remove("uid-api");
        source.Source.RequestFetch();
        await Wait.UntilAsync(() => source.Counters.Lists == 3, "the fetch after the removal");
        Assert.Equal("Deployment/api", source.Find("shop", "api-6b8d4-ccccc", "uid-api")!.Workload);
        Assert.Equal(3, kubelet.Fetches);
    }

    [Fact]
    public async Task ManyRequestsAtOnceMakeAtMostOneMoreFetchAndFetchesKeepTheirSpacing()
    {
        await using var kubelet = await FakeKubeletServer.StartAsync();
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet), spacing: TimeSpan.FromSeconds(1));
        await source.UntilLiveAsync();

        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 100; i++)
        {
            source.Source.RequestFetch();
        }

        await Wait.UntilAsync(() => source.Counters.Lists == 2, "the fetch asked for");
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(900), $"fetched again after {started.Elapsed}");
        await Wait.UntilQuietAsync(() => kubelet.Fetches, TimeSpan.FromSeconds(2), "no more fetches");
        Assert.Equal(2, kubelet.Fetches);
    }

    [Fact]
    public async Task PollsOnItsOwnAndSeesChangedLabels()
    {
        await using var kubelet = await FakeKubeletServer.StartAsync();
        kubelet.Add(KubePods.Bare("shop", "debug", "uid-bare", "node-1", new Dictionary<string, string> { ["app"] = "debug" }));
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet), poll: TimeSpan.FromSeconds(1));
        await source.UntilLiveAsync();

        kubelet.Modify("uid-bare", p => p.WithLabel("app", "debug-2"));
        await Wait.UntilAsync(() => source.Find("shop", "debug", "uid-bare")!.Labels[0].Value == "debug-2", "the changed label at a poll");
    }

    [Fact]
    public async Task TheKubeletGoingAwayMarksTheCacheUnavailableUntilItIsBack()
    {
        await using var kubelet = await FakeKubeletServer.StartAsync();
        kubelet.Add(KubePods.Bare("shop", "debug", "uid-bare", "node-1"));
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet), poll: TimeSpan.FromSeconds(1));
        await source.UntilLiveAsync();

        await kubelet.GoAwayAsync();
        await Wait.UntilAsync(() => source.Cache.State == MetadataState.Unavailable, "the source to notice");
        Assert.NotNull(source.Find("shop", "debug", "uid-bare"));
        // Refused, or reset on the connection kept alive from the last read: either way a warning naming the kubelet.
        Assert.Contains(source.Log.WithEvent(871), e => e.Message.Contains(kubelet.Url.ToString(), StringComparison.Ordinal));

        await kubelet.ComeBackAsync();
        await source.UntilLiveAsync();
        Assert.True(source.Counters.Errors >= 1);
    }

    [Fact]
    public async Task ARefusedTokenIsLoggedAsSuch()
    {
        using var dir = TempDirectory.Create();
        string token = dir.Combine("token");
        File.WriteAllText(token, "an-old-token");
        await using var kubelet = await FakeKubeletServer.StartAsync();
        kubelet.Token = "the-token";
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet, token));
        await Wait.UntilAsync(() => source.Counters.Errors >= 1, "a failed fetch");
        Assert.Equal(MetadataState.Unavailable, source.Cache.State);
        Assert.Contains("401 Unauthorized: the kubelet refused the token", source.LogText, StringComparison.Ordinal);

        // The rotated token is read at the next attempt.
        File.WriteAllText(token, "the-token");
        await source.UntilLiveAsync();
    }

    [Fact]
    public async Task AMissingNodesProxyPermissionIsLoggedWithWhereToGrantIt()
    {
        await using var kubelet = await FakeKubeletServer.StartAsync();
        kubelet.Forbidden = true;
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet));
        await Wait.UntilAsync(() => source.Counters.Errors >= 1, "a failed fetch");
        Assert.Contains(
            "403 Forbidden: the service account may not get nodes/proxy (or nodes/pods) (deploy/kubernetes/components/kubelet-metadata)",
            source.LogText,
            StringComparison.Ordinal);
        Assert.Contains("subresource(s)=[proxy]", source.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAnswerThatIsNotAPodListIsAnErrorAndKeepsWhatWasKnown()
    {
        await using var kubelet = await FakeKubeletServer.StartAsync();
        kubelet.Add(KubePods.Bare("shop", "debug", "uid-bare", "node-1"));
        await using var source = new KubeletHarness(KubeletHarness.Plain(kubelet));
        await source.UntilLiveAsync();

        kubelet.Garbage = "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"x\"";
        source.Source.RequestFetch();
        await Wait.UntilAsync(() => source.Counters.Errors >= 1, "the failed fetch");
        Assert.Contains("the answer is not a PodList", source.LogText, StringComparison.Ordinal);
        Assert.NotNull(source.Find("shop", "debug", "uid-bare"));
    }

    [Fact]
    public async Task TheKubeletsCertificateIsCheckedAgainstTheCaFileOrNotAtAllWhenAskedSo()
    {
        using var dir = TempDirectory.Create();
        using var ca = TestCertificates.CreateAuthority("kubelet-ca");
        using var other = TestCertificates.CreateAuthority("another-ca");
        using var serving = TestCertificates.CreateServer(ca);
        string caFile = TestCertificates.WritePem(dir.Combine("ca.crt"), ca);
        string otherFile = TestCertificates.WritePem(dir.Combine("other.crt"), other);
        await using var kubelet = await FakeKubeletServer.StartAsync(serving);
        kubelet.Add(KubePods.Bare("shop", "debug", "uid-bare", "node-1"));

        await using (var trusted = new KubeletHarness(new KubeletConnection(kubelet.Url, caFile, false, null)))
        {
            await trusted.UntilLiveAsync();
        }

        await using (var insecure = new KubeletHarness(new KubeletConnection(kubelet.Url, null, true, null)))
        {
            await insecure.UntilLiveAsync();
            Assert.Contains("--kubelet-insecure-tls is on", insecure.LogText, StringComparison.Ordinal);
        }

        await using var wrong = new KubeletHarness(new KubeletConnection(kubelet.Url, otherFile, false, null));
        await Wait.UntilAsync(() => wrong.Counters.Errors >= 1, "the refused certificate");
        Assert.Contains("TLS with the kubelet failed", wrong.LogText, StringComparison.Ordinal);
        Assert.Equal(MetadataState.Unavailable, wrong.Cache.State);
    }
}
