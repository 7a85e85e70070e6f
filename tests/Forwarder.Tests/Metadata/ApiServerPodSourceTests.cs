using System.Globalization;
using Forwarder.Metadata;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Forwarder.Tests.Metadata;

/// <summary>
/// The API server source against the stand-in server: list in pages, watch, bookmarks, 410 Gone, errors and recovery.
/// </summary>
public sealed class ApiServerPodSourceTests
{
    [Fact]
    public async Task ListsOnlyItsNodesPodsPageByPageAndNamesTheirWorkloads()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        for (int i = 0; i < 1_050; i++)
        {
            server.Add(KubePods.OfDeployment("shop", $"web-5f7c9-{i:D4}", $"uid-web-{i:D4}", "node-1", "web", "5f7c9"));
        }

        server.Add(KubePods.OfDeployment("shop", "elsewhere-5f7c9-aaaaa", "uid-elsewhere", "node-2", "elsewhere", "5f7c9"));
        server.AddJob(KubePods.Job("batch", "nightly-29422080", "nightly"));
        server.AddJob(KubePods.Job("batch", "manual-1", null));
        server.Add(KubePods.OfJob("batch", "nightly-29422080-x7k2p", "uid-cron", "node-1", "nightly-29422080"));
        server.Add(KubePods.OfJob("batch", "manual-1-q9z8w", "uid-job", "node-1", "manual-1"));
        server.Add(KubePods.OfJob("batch", "gone-1-q9z8w", "uid-gone-job", "node-1", "gone-1"));
        server.Add(KubePods.Bare("shop", "debug", "uid-bare", "node-1", new Dictionary<string, string> { ["app"] = "debug" }));
        var standalone = KubePods.Bare("shop", "cache-abcde", "uid-rs", "node-1");
        standalone["metadata"]!["ownerReferences"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["name"] = "cache",
            ["uid"] = "u",
            ["controller"] = true,
        });
        server.Add(standalone);

        await using var source = new SourceHarness(server.Url);
        await source.UntilWatchingAsync(server);

        Assert.Equal(1_055, source.Cache.Count);
        Assert.Null(source.Find("shop", "elsewhere-5f7c9-aaaaa", "uid-elsewhere"));
        Assert.Equal("Deployment/web", source.Find("shop", "web-5f7c9-0000", "uid-web-0000")!.Workload);
        Assert.Equal("CronJob/nightly", source.Find("batch", "nightly-29422080-x7k2p", "uid-cron")!.Workload);
        Assert.Equal("Job/manual-1", source.Find("batch", "manual-1-q9z8w", "uid-job")!.Workload);
        Assert.Equal("Job/gone-1", source.Find("batch", "gone-1-q9z8w", "uid-gone-job")!.Workload);
        Assert.Equal("ReplicaSet/cache", source.Find("shop", "cache-abcde", "uid-rs")!.Workload);
        var bare = source.Find("shop", "debug", "uid-bare")!;
        Assert.Null(bare.Workload);
        Assert.Equal([new KeyValuePair<string, string>("app", "debug")], bare.Labels);

        // Three pages of at most 500, each asking only for this node's pods.
        var lists = server.Lists.ToList();
        Assert.Equal(3, lists.Count);
        Assert.All(lists, l => Assert.Contains("fieldSelector=spec.nodeName%3Dnode-1", l, StringComparison.Ordinal));
        Assert.All(lists, l => Assert.Contains("limit=500", l, StringComparison.Ordinal));
        Assert.DoesNotContain("continue=", lists[0], StringComparison.Ordinal);
        Assert.Contains("continue=", lists[1], StringComparison.Ordinal);
        var watch = Assert.Single(server.Watches);
        Assert.Contains("allowWatchBookmarks=true", watch, StringComparison.Ordinal);
        Assert.Contains("fieldSelector=spec.nodeName%3Dnode-1", watch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchedPodsAreAddedChangedAndKeptForTheGracePeriodAfterTheirDeletion()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", CultureInfo.InvariantCulture));
        await using var source = new SourceHarness(server.Url, cacheTime: clock, grace: TimeSpan.FromMinutes(5));
        await source.UntilLiveAsync();

        server.Add(KubePods.OfDeployment("shop", "payments-7d4b9c8f6-x2x9z", "uid-1", "node-1", "payments", "7d4b9c8f6",
            new Dictionary<string, string> { ["app.kubernetes.io/name"] = "payments", ["team"] = "billing" }));
        await Wait.UntilAsync(() => source.Find("shop", "payments-7d4b9c8f6-x2x9z", "uid-1") is not null, "the ADDED pod");
        var added = source.Find("shop", "payments-7d4b9c8f6-x2x9z", "uid-1")!;
        Assert.Equal("Deployment/payments", added.Workload);
        Assert.Equal([new KeyValuePair<string, string>("app.kubernetes.io/name", "payments")], added.Labels);

        server.Modify("uid-1", p => p.WithLabel("app", "pay"));
        await Wait.UntilAsync(() => source.Find("shop", "payments-7d4b9c8f6-x2x9z", "uid-1")!.Labels.Count == 2, "the MODIFIED labels");

        server.Delete("uid-1");
        server.Add(KubePods.Bare("shop", "marker", "uid-marker", "node-1"));
        await Wait.UntilAsync(() => source.Find("shop", "marker", "uid-marker") is not null, "the event after the deletion");
        Assert.NotNull(source.Find("shop", "payments-7d4b9c8f6-x2x9z", "uid-1"));

        // Pruned at the next bookmark once the grace period is over, not before.
        clock.Advance(TimeSpan.FromMinutes(4));
        server.Bookmark();
        long events = source.Counters.WatchEvents;
        await Wait.UntilAsync(() => source.Counters.WatchEvents > events, "the first bookmark");
        Assert.NotNull(source.Find("shop", "payments-7d4b9c8f6-x2x9z", "uid-1"));
        clock.Advance(TimeSpan.FromMinutes(2));
        server.Bookmark();
        await Wait.UntilAsync(() => source.Find("shop", "payments-7d4b9c8f6-x2x9z", "uid-1") is null, "the deleted pod to be pruned");
        Assert.NotNull(source.Find("shop", "marker", "uid-marker"));
    }

    [Fact]
    public async Task AWatchDroppedAfterABookmarkResumesFromTheBookmarksVersion()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        await using var source = new SourceHarness(server.Url);
        await source.UntilWatchingAsync(server);

        // Changes on another node move the version on without an event for this watch; the bookmark says so.
        long last = 0;
        for (int i = 0; i < 3; i++)
        {
            last = server.Add(KubePods.Bare("shop", $"other-{i}", $"uid-other-{i}", "node-2"));
        }

        server.Bookmark();
        await Wait.UntilAsync(() => source.Counters.WatchEvents == 1, "the bookmark");
        server.DropWatches();
        await Wait.UntilAsync(() => server.Watches.Count() == 2, "the second watch");

        Assert.Contains($"resourceVersion={last}&", server.Watches.Last(), StringComparison.Ordinal);
        Assert.Single(server.Lists);
    }

    [Fact]
    public async Task AResourceVersionTooOldIsAnsweredByListingAgain()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Add(KubePods.Bare("shop", "stays", "uid-stays", "node-1"));
        server.Add(KubePods.Bare("shop", "goes", "uid-goes", "node-1"));
        await using var source = new SourceHarness(server.Url, grace: TimeSpan.Zero);
        await source.UntilLiveAsync();

        // While the Forwarder cannot see it, a pod comes, one goes and the history is compacted.
        await server.GoAwayAsync();
        server.Add(KubePods.Bare("shop", "new", "uid-new", "node-1"));
        server.Delete("uid-goes");
        server.ForgetHistory();
        await server.ComeBackAsync();

        await Wait.UntilAsync(() => source.Counters.Lists == 2, "the list after 410 Gone");
        Assert.Equal(1, source.Counters.RelistsGone);
        Assert.NotNull(source.Find("shop", "new", "uid-new"));
        Assert.NotNull(source.Find("shop", "stays", "uid-stays"));
        Assert.Null(source.Find("shop", "goes", "uid-goes"));
        Assert.Equal(2, server.Lists.Count());
        Assert.Contains(source.Log.Entries, e => e.EventId.Id == 852);
    }

    [Fact]
    public async Task AnExpiredContinueTokenStartsTheListOver()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        for (int i = 0; i < 600; i++)
        {
            server.Add(KubePods.Bare("shop", $"p-{i:D3}", $"uid-{i:D3}", "node-1"));
        }

        // The first page is served, then the history it was taken from is compacted: its continue token is too old.
        server.ExpireNextContinue = true;
        await using var source = new SourceHarness(server.Url);
        await source.UntilLiveAsync();

        Assert.Equal(600, source.Cache.Count);
        Assert.Equal(1, source.Counters.Lists);
        var lists = server.Lists.ToList();
        Assert.Equal(4, lists.Count);
        Assert.Equal([false, true, false, true], lists.Select(l => l.Contains("continue=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ARefusedTokenIsNamedInTheLogAndARotatedTokenIsReadWithoutARestart()
    {
        using var dir = TempDirectory.Create();
        string token = dir.Combine("token");
        File.WriteAllText(token, "expired-token\n");
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Token = "fresh-token";
        server.Add(KubePods.Bare("shop", "web", "uid-web", "node-1"));
        await using var source = new SourceHarness(server.Url, tokenFile: token);

        await Wait.UntilAsync(() => source.Counters.Errors >= 2, "two refused attempts");
        Assert.Equal(MetadataState.Unavailable, source.Cache.State);
        Assert.Contains("401 Unauthorized: the API server refused the token", source.LogText, StringComparison.Ordinal);

        // The kubelet rotates a projected token by swapping the file.
        File.WriteAllText(token + ".new", "fresh-token\n");
        File.Move(token + ".new", token, overwrite: true);
        await source.UntilLiveAsync();
        Assert.NotNull(source.Find("shop", "web", "uid-web"));
    }

    [Fact]
    public async Task AForbiddenListNamesTheMissingPermission()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Forbidden = true;
        await using var source = new SourceHarness(server.Url);

        await Wait.UntilAsync(() => source.Counters.Errors >= 1, "a refused list");
        Assert.Contains("403 Forbidden: the service account may not list and watch pods", source.LogText, StringComparison.Ordinal);
        Assert.Contains("cannot list resource \\\"pods\\\"", source.LogText, StringComparison.Ordinal);

        server.Forbidden = false;
        await source.UntilLiveAsync();
    }

    [Fact]
    public async Task AServerCertificateFromAnotherCaIsATlsErrorThatNamesTheCaFile()
    {
        using var dir = TempDirectory.Create();
        using var authority = TestCertificates.CreateAuthority("cluster CA");
        using var other = TestCertificates.CreateAuthority("some other CA");
        using var certificate = TestCertificates.CreateServer(authority);
        string trusted = TestCertificates.WritePem(dir.Combine("ca.crt"), authority);
        string wrong = TestCertificates.WritePem(dir.Combine("other.crt"), other);
        await using var server = await FakeKubeApiServer.StartAsync(certificate);
        server.Add(KubePods.Bare("shop", "web", "uid-web", "node-1"));

        await using (var refused = new SourceHarness(server.Url, caFile: wrong))
        {
            await Wait.UntilAsync(() => refused.Counters.Errors >= 1, "a failed handshake");
            Assert.Contains("TLS with the API server failed (check --kube-ca-file)", refused.LogText, StringComparison.Ordinal);
            Assert.Empty(server.Lists);
        }

        await using var accepted = new SourceHarness(server.Url, caFile: trusted);
        await accepted.UntilLiveAsync();
        Assert.NotNull(accepted.Find("shop", "web", "uid-web"));
    }

    [Fact]
    public async Task ACaFileThatIsNotPemIsAClearErrorAndIsReadAgainLater()
    {
        using var dir = TempDirectory.Create();
        string ca = dir.Combine("ca.crt");
        File.WriteAllText(ca, "not a certificate\n");
        await using var server = await FakeKubeApiServer.StartAsync();
        await using var source = new SourceHarness(new Uri($"https://127.0.0.1:{server.Port}/"), caFile: ca);

        await Wait.UntilAsync(() => source.Counters.Errors >= 1, "the CA file to be refused");
        Assert.Contains($"the API server's CA file '{ca}' holds no PEM certificate", source.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownExcludeValueIsLoggedOncePerPodAndExcludesNothing()
    {
        await using var server = await FakeKubeApiServer.StartAsync();
        server.Add(KubePods.Bare("shop", "web", "uid-web", "node-1").WithAnnotation(PodMetadataReader.ExcludeAnnotation, "sometimes"));
        await using var source = new SourceHarness(server.Url);
        await source.UntilLiveAsync();
        server.Modify("uid-web", p => p.WithLabel("app", "web"));
        server.Modify("uid-web", p => p.WithLabel("app", "web2"));
        await Wait.UntilAsync(() => source.Find("shop", "web", "uid-web")!.Labels is [{ Value: "web2" }], "both changes");

        var warning = Assert.Single(source.Log.WithEvent(854));
        Assert.Contains("unknown value 'sometimes'", warning.Message, StringComparison.Ordinal);
        Assert.Equal(ExcludedStreams.None, source.Find("shop", "web", "uid-web")!.Excluded);
    }
}
