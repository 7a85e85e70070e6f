using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Collector.Tests.Relay;
using TestSupport;

namespace Collector.Tests.Api;

/// <summary>
/// Two tokens (issue 16, part 4): the read token searches, tails and downloads; only the admin token changes relays.
/// Token files are read again when they change, as a rotated Kubernetes Secret is.
/// </summary>
public sealed class ApiRoleTests
{
    private static readonly string[] ReadUrls =
    [
        "/api/v1/query_range", "/api/v1/labels", "/api/v1/label/pod/values", "/api/v1/tail", "/api/v1/sources",
        "/api/v1/relays", "/v1/log", "/v1/download",
    ];

    [Fact]
    public async Task TheReadTokenReadsAndGets403OnRelayChangesWhichTheAdminTokenMakes()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await StartAsync(dir, read: "reader-token", admin: "admin-token");
        using var anonymous = Client(collector, null);
        using var wrong = Client(collector, "guess");
        using var reader = Client(collector, "reader-token");
        using var admin = Client(collector, "admin-token");

        foreach (string url in ReadUrls)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, HttpMethod.Get, url));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(wrong, HttpMethod.Get, url));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(reader, HttpMethod.Get, url));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin, HttpMethod.Get, url));
        }

        string doc = RelayDocs.Doc("siem", 9);
        using (var refused = await reader.PutAsync("/api/v1/relays/siem", new StringContent(doc)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("needs the admin token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, HttpMethod.Put, "/api/v1/relays/siem", doc));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, HttpMethod.Put, "/v1/forwarders", "[]"));
        Assert.False(File.Exists(dir.Combine("relays", "siem.yaml")));

        Assert.Equal(HttpStatusCode.Created, await StatusAsync(admin, HttpMethod.Put, "/api/v1/relays/siem", doc));
        Assert.True(File.Exists(dir.Combine("relays", "siem.yaml")));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(reader, HttpMethod.Delete, "/api/v1/relays/siem"));
        Assert.True(File.Exists(dir.Combine("relays", "siem.yaml")));
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(admin, HttpMethod.Delete, "/api/v1/relays/siem"));
        Assert.False(File.Exists(dir.Combine("relays", "siem.yaml")));

        // Health, readiness and metrics stay open.
        Assert.Equal("ok\n", await collector.GetAsync("/healthz"));
    }

    [Fact]
    public async Task WithoutAnAdminTokenRelaysCannotBeChangedOverHttp()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await StartAsync(dir, read: "reader-token", admin: null);
        using var reader = Client(collector, "reader-token");

        using var refused = await reader.PutAsync("/api/v1/relays/siem", new StringContent(RelayDocs.Doc("siem", 9)));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("no admin token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(reader, HttpMethod.Get, "/api/v1/relays"));
    }

    [Fact]
    public async Task AnAdminTokenAloneClosesTheWholeApi()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await StartAsync(dir, read: null, admin: "admin-token");
        using var anonymous = Client(collector, null);
        using var admin = Client(collector, "admin-token");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, HttpMethod.Get, "/api/v1/labels"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin, HttpMethod.Get, "/api/v1/labels"));
    }

    [Fact]
    public async Task WithoutTokensTheApiStaysOpenAsTheLocalDefault()
    {
        using var dir = TempDirectory.Create();
        await using var collector = await StartAsync(dir, read: null, admin: null);
        using var anonymous = Client(collector, null);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(anonymous, HttpMethod.Get, "/api/v1/labels"));
        Assert.Equal(HttpStatusCode.Created, await StatusAsync(anonymous, HttpMethod.Put, "/api/v1/relays/siem", RelayDocs.Doc("siem", 9)));
    }

    /// <summary>
    /// A Secret mounted as a volume: the kubelet writes a new timestamped directory and swaps the <c>..data</c> symlink
    /// that the token file's own symlink goes through.
    /// </summary>
    [Fact]
    public async Task ARotatedSecretTakesEffectWithoutARestartAndABadOneKeepsTheOldToken()
    {
        using var dir = TempDirectory.Create();
        string mount = dir.Combine("secret");
        WriteSecret(mount, "first", "reader-one");
        string tokenFile = Path.Combine(mount, "token");
        await using var collector = await RunningCollector.StartAsync(
            dir, "--api-token-file", tokenFile, "--relays", dir.Combine("relays"));
        using var one = Client(collector, "reader-one");
        using var two = Client(collector, "reader-two");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(one, HttpMethod.Get, "/api/v1/labels"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(two, HttpMethod.Get, "/api/v1/labels"));

        WriteSecret(mount, "second", "reader-two\n");
        await Wait.UntilAsync(
            () => StatusAsync(two, HttpMethod.Get, "/api/v1/labels").GetAwaiter().GetResult() == HttpStatusCode.OK,
            "the rotated token accepted",
            TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(one, HttpMethod.Get, "/api/v1/labels"));

        // An empty token file would open nothing and lock nobody out: the old token stays, through more than two
        // re-reads of the file.
        WriteSecret(mount, "third", "  \n");
        using var anonymous = Client(collector, null);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < 3 * Collector.Api.Access.TokenSource.RecheckInterval)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(two, HttpMethod.Get, "/api/v1/labels"));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(anonymous, HttpMethod.Get, "/api/v1/labels"));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task BadTokenSettingsStopTheStartWithOneMessageEach()
    {
        using var dir = TempDirectory.Create();
        string same = dir.Combine("same");
        await File.WriteAllTextAsync(same, "one-token");
        string empty = dir.Combine("empty");
        await File.WriteAllTextAsync(empty, "\n");

        Assert.Null(Collector.CollectorApp.Build(["--api-token-file", same, "--admin-token-file", same], out var errors));
        Assert.Equal("Collector:AdminToken must differ from Collector:ApiToken (the read token)", Assert.Single(errors));

        Assert.Null(Collector.CollectorApp.Build(["--admin-token-file", empty], out errors));
        Assert.StartsWith("Collector:AdminTokenFile must be a file holding the token", Assert.Single(errors), StringComparison.Ordinal);

        Assert.Null(Collector.CollectorApp.Build(["--admin-token-file", dir.Combine("missing")], out errors));
        Assert.StartsWith("Collector:AdminTokenFile must be a readable file", Assert.Single(errors), StringComparison.Ordinal);
    }

    private static void WriteSecret(string mount, string version, string token)
    {
        Directory.CreateDirectory(mount);
        string data = Path.Combine(mount, ".." + version);
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "token"), token);
        string link = Path.Combine(mount, "..data");
        string swap = Path.Combine(mount, "..data_tmp");
        File.CreateSymbolicLink(swap, ".." + version);

        // rename(2) over the old link, as the kubelet does (File.Move follows a link to a directory and refuses).
        using (var mv = System.Diagnostics.Process.Start("mv", ["-Tf", swap, link]))
        {
            mv.WaitForExit();
            Assert.Equal(0, mv.ExitCode);
        }

        if (!File.Exists(Path.Combine(mount, "token")))
        {
            File.CreateSymbolicLink(Path.Combine(mount, "token"), "..data/token");
        }
    }

    private static async Task<RunningCollector> StartAsync(TempDirectory dir, string? read, string? admin)
    {
        var args = new List<string> { "--relays", dir.Combine("relays") };
        if (read is not null)
        {
            await File.WriteAllTextAsync(dir.Combine("read-token"), read);
            args.AddRange(["--api-token-file", dir.Combine("read-token")]);
        }

        if (admin is not null)
        {
            await File.WriteAllTextAsync(dir.Combine("admin-token"), admin);
            args.AddRange(["--admin-token-file", dir.Combine("admin-token")]);
        }

        return await RunningCollector.StartAsync(dir, [.. args]);
    }

    private static HttpClient Client(RunningCollector collector, string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{collector.Http}"), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpMethod method, string url, string? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/yaml");
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }
}
