using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TestSupport;

namespace Collector.Tests.Relay;

public sealed class RelayReloadTests
{
    [Fact]
    public async Task AddChangeAndRemoveApplyWhileMessagesFlow()
    {
        using var dir = TempDirectory.Create();
        await using var a = SyslogTestListener.Start();
        await using var b = SyslogTestListener.Start();
        await using var c = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "steady", a.TcpPort);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        using var cancel = new CancellationTokenSource();
        var flow = Task.Run(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                await RelayDocs.SendAsync(collector, 6, i * 1_000, 1_000);
                await Task.Delay(20);
            }
        });

        // Add: a file appears.
        await Wait.UntilAsync(() => a.Frames.Count > 5_000, "traffic flowing");
        RelayDocs.Write(dir, "added", b.TcpPort);
        await Wait.UntilAsync(() => b.Frames.Count > 0, "the added relay delivering");

        // Change: the added relay moves to another target.
        int beforeChange = b.Frames.Count;
        RelayDocs.Write(dir, "added", c.TcpPort);
        await Wait.UntilAsync(() => c.Frames.Count > 0, "the changed relay delivering to its new target");

        // Remove: the file goes away; the relay stops.
        File.Delete(dir.Combine("relays", "added.yaml"));
        await Wait.UntilAsync(() => !ListNames(collector).Result.Contains("added"), "the removed relay gone");

        await flow;
        await Wait.UntilAsync(() => collector.LineCount() == 100_000, "every message stored");
        var all = await a.WaitForFramesAsync(100_000, TimeSpan.FromSeconds(30));
        // Exactly once; the order is per connection (each burst is one), as in the messages file.
        Assert.Equal(Enumerable.Range(0, 100_000), RelayDocs.Sequences(all, 6).Order());

        // What the changing relay got on its two targets: no gaps between them (what it held at its removal it drains).
        var changing = RelayDocs.Sequences(b.Frames, 6).Concat(RelayDocs.Sequences(c.Frames, 6)).Distinct().Order().ToArray();
        Assert.Equal(Enumerable.Range(changing[0], changing.Length), changing);
        Assert.True(beforeChange > 0);

        // Nothing received after its removal reaches it.
        await RelayDocs.SendAsync(collector, 16, 0, 100);
        await Wait.UntilAsync(() => RelayDocs.Sequences(a.Frames, 16).Length == 100, "the last burst at the steady relay");
        Assert.Empty(RelayDocs.Sequences(c.Frames, 16));
    }

    [Fact]
    public async Task AConfigMapSymlinkSwapIsFollowed()
    {
        using var dir = TempDirectory.Create();
        await using var a = SyslogTestListener.Start();
        await using var b = SyslogTestListener.Start();
        var volume = new ConfigMapVolume(dir.Combine("relays"));
        volume.Update(new Dictionary<string, string> { ["first"] = RelayDocs.Doc("first", a.TcpPort) });
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", volume.Path);
        Assert.Equal(["first"], await ListNames(collector));

        volume.Update(new Dictionary<string, string> { ["second"] = RelayDocs.Doc("second", b.TcpPort) });
        await Wait.UntilAsync(() => ListNames(collector).Result.SequenceEqual(["second"]), "the swapped ConfigMap applied");

        await RelayDocs.SendAsync(collector, 7, 0, 100);
        await b.WaitForFramesAsync(100);
        Assert.Empty(a.Frames);
    }

    [Fact]
    public async Task AnInvalidFileIsReportedAndChangesNothing()
    {
        using var dir = TempDirectory.Create();
        await using var a = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "good", a.TcpPort);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));

        File.WriteAllText(
            dir.Combine("relays", "good.yaml"),
            "kind: logforwarder\nversion: v2\nmetadata: {name: good}\nspec: {address: '127.0.0.1:1', protocl: tcp}");
        File.WriteAllText(dir.Combine("relays", "broken.yaml"), "{{{");
        await Wait.UntilAsync(() => Status(collector).Result.GetProperty("invalid").GetArrayLength() == 2, "both files reported");

        var status = await Status(collector);
        var good = status.GetProperty("relays").EnumerateArray().Single();
        Assert.Equal($"127.0.0.1:{a.TcpPort}", good.GetProperty("address").GetString());
        Assert.Contains(
            "spec.protocl is not a known key",
            status
                .GetProperty("invalid")
                .EnumerateArray()
                .Single(i => i.GetProperty("file").GetString() == "good.yaml")
                .GetProperty("errors")[0]
                .GetString(),
            StringComparison.Ordinal);
        Assert.Contains("\nkubesyslog_collector_relay_invalid_files 2\n", await RelayDocs.MetricsAsync(collector), StringComparison.Ordinal);

        await RelayDocs.SendAsync(collector, 8, 0, 100);
        await a.WaitForFramesAsync(100);
    }

    [Fact]
    public async Task OneCurlAddsARelayAndTheAnswerShowsItsStatus()
    {
        using var dir = TempDirectory.Create();
        await using var target = SyslogTestListener.Start();
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        using var http = RelayDocs.Http(collector);

        using var created = await http.PutAsync(
            "/api/v1/relays/siem",
            new StringContent(RelayDocs.Doc("siem", target.TcpPort), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("running", body.GetProperty("state").GetString());
        Assert.True(File.Exists(dir.Combine("relays", "siem.yaml")));

        await RelayDocs.SendAsync(collector, 9, 0, 100);
        await target.WaitForFramesAsync(100);
        await Wait.UntilAsync(() => Relay(collector, "siem").Result.GetProperty("sent").GetInt64() == 100, "status shows 100 sent");
        Assert.True((await Relay(collector, "siem")).GetProperty("connected").GetBoolean());

        using var replaced = await http.PutAsync(
            "/api/v1/relays/siem",
            new StringContent(RelayDocs.Doc("siem", target.TcpPort, extra: "  framing: lf\n")));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("lf", (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("framing").GetString());

        using var deleted = await http.DeleteAsync("/api/v1/relays/siem");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await ListNames(collector));
        Assert.False(File.Exists(dir.Combine("relays", "siem.yaml")));
        using var missing = await http.DeleteAsync("/api/v1/relays/siem");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ARelayAddedAgainWhileItsPredecessorDrainsStartsAtOnce()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        using var http = RelayDocs.Http(collector);
        using var created = await http.PutAsync("/api/v1/relays/x", new StringContent(RelayDocs.Doc("x", 9)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await RelayDocs.SendAsync(collector, 20, 0, 10);
        await Wait.UntilAsync(() => Relay(collector, "x").Result.GetProperty("queued").GetInt64() == 10, "10 queued for a target that is down");

        using var deleted = await http.DeleteAsync("/api/v1/relays/x");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        // The predecessor would try its dead target for 10 s; the reload (and this answer) must not wait for that.
        using var again = await http.PutAsync("/api/v1/relays/x", new StringContent(RelayDocs.Doc("x", 9)));
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(["x"], await ListNames(collector));
    }

    [Fact]
    public async Task PuttingANewRelayNeverOverwritesTheFileOfAnother()
    {
        using var dir = TempDirectory.Create();
        Directory.CreateDirectory(dir.Combine("relays"));
        File.WriteAllText(dir.Combine("relays", "foo.yaml"), RelayDocs.Doc("bar", 9));
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        using var http = RelayDocs.Http(collector);

        using var created = await http.PutAsync("/api/v1/relays/foo", new StringContent(RelayDocs.Doc("foo", 10)));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(["bar", "foo"], await ListNames(collector));
        Assert.Contains("name: bar", File.ReadAllText(dir.Combine("relays", "foo.yaml")), StringComparison.Ordinal);
        string file = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("file").GetString()!;
        Assert.NotEqual("foo.yaml", file);
        Assert.Contains("name: foo", File.ReadAllText(dir.Combine("relays", file)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(
        "siem",
        "kind: logforwarder\nversion: v2\nmetadata: {name: siem}\nspec: {address: 'h:514', protocol: quic}",
        "spec.protocol must be tcp, udp or relp")]
    [InlineData("other", "kind: logforwarder\nversion: v2\nmetadata: {name: siem}\nspec: {address: 'h:514'}", "differs from the name in the URL")]
    [InlineData("siem", "", "the body is empty")]
    [InlineData("siem", "{\"kind\": ", "not valid YAML or JSON")]
    public async Task ABadBodyGets400AndChangesNothing(string name, string body, string expected)
    {
        using var dir = TempDirectory.Create();
        await using var target = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "siem", target.TcpPort);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        using var http = RelayDocs.Http(collector);

        using var response = await http.PutAsync($"/api/v1/relays/{name}", new StringContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["siem"], await ListNames(collector));
        Assert.Equal($"127.0.0.1:{target.TcpPort}", (await Relay(collector, "siem")).GetProperty("address").GetString());
    }

    [Fact]
    public async Task AConfigMapMountAnswers409()
    {
        using var dir = TempDirectory.Create();
        var volume = new ConfigMapVolume(dir.Combine("relays"));
        volume.Update(new Dictionary<string, string> { ["a"] = RelayDocs.Doc("a", 9) });
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", volume.Path);
        using var http = RelayDocs.Http(collector);

        using var put = await http.PutAsync("/api/v1/relays/b", new StringContent(RelayDocs.Doc("b", 9)));
        using var delete = await http.DeleteAsync("/api/v1/relays/a");

        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Contains("ConfigMap", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal(["a"], await ListNames(collector));
    }

    [Fact]
    public async Task WithoutARelayDirectoryWritesAnswer409()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await RunningCollector.StartAsync(dir);
        using var http = RelayDocs.Http(collector);

        using var put = await http.PutAsync("/api/v1/relays/b", new StringContent(RelayDocs.Doc("b", 9)));

        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Contains("--relays", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await ListNames(collector));
    }

    [Fact]
    public async Task GravitysPutForwardersReplacesTheWholeSet()
    {
        using var dir = TempDirectory.Create();
        await using var tcp = SyslogTestListener.Start();
        await using var udp = SyslogTestListener.Start();
        Directory.CreateDirectory(dir.Combine("relays"));
        RelayDocs.Write(dir, "old", 9);
        await using var collector = await RunningCollector.StartAsync(dir, "--relays", dir.Combine("relays"));
        using var http = RelayDocs.Http(collector);

        string list = $$"""[{"address": "127.0.0.1:{{tcp.TcpPort}}", "protocol": "tcp"}, """
            + $$"""{"address": "127.0.0.1:{{udp.UdpPort}}", "protocol": "udp"}]""";
        using var response = await http.PutAsync("/v1/forwarders", new StringContent(list, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = await ListNames(collector);
        Assert.Equal(
            new[] { $"forwarder-127.0.0.1-{tcp.TcpPort}-tcp", $"forwarder-127.0.0.1-{udp.UdpPort}-udp" }
                .Order(StringComparer.Ordinal),
            names.Order(StringComparer.Ordinal));
        await RelayDocs.SendAsync(collector, 10, 0, 10);
        await tcp.WaitForFramesAsync(10);
        await Wait.UntilAsync(() => udp.Frames.Count == 10, "10 datagrams");

        using var bad = await http.PutAsync("/v1/forwarders", new StringContent("""[{"protocol": "udp"}]"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(2, (await ListNames(collector)).Length);
    }

    private static async Task<JsonElement> Status(RunningCollector collector)
    {
        using var http = RelayDocs.Http(collector);
        return await http.GetFromJsonAsync<JsonElement>("/api/v1/relays");
    }

    private static async Task<JsonElement> Relay(RunningCollector collector, string name)
    {
        using var http = RelayDocs.Http(collector);
        return await http.GetFromJsonAsync<JsonElement>($"/api/v1/relays/{name}");
    }

    private static async Task<string[]> ListNames(RunningCollector collector) =>
        (await Status(collector)).GetProperty("relays").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToArray();
}
