using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using TestSupport;

namespace Collector.Tests.Api.Https;

/// <summary>
/// <c>--https</c> (issue 16, part 4): the API, UI, health and metrics over TLS with the endpoint's own PEM pair, a
/// test CA made by openssl; the bearer tokens hold there as on <c>--http</c>; a rotated pair serves new connections
/// without a restart and a bad one is refused with a log line while the old one keeps serving.
/// </summary>
public sealed class HttpsEndpointTests
{
    [PeerFact("openssl")]
    public async Task TheApiAndUiAnswerOverHttpsWithTheTokenStillRequired()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(
            dir.Combine("messages"), "reader-token", "--https", "127.0.0.1:0", "--https-cert", pki.Server.Certificate, "--https-key", pki.Server.Key);
        var https = collector.Https!;
        Assert.NotEqual(collector.Http, https);

        using var anonymous = new HttpsTestClient(https, pki.CaCertificate);
        using var wrong = new HttpsTestClient(https, pki.CaCertificate, "guess");
        using var reader = new HttpsTestClient(https, pki.CaCertificate, "reader-token");
        Assert.Equal(HttpStatusCode.Unauthorized, await anonymous.StatusAsync("/api/v1/labels"));
        Assert.Equal(HttpStatusCode.Unauthorized, await wrong.StatusAsync("/api/v1/labels"));
        Assert.Equal(HttpStatusCode.OK, await reader.StatusAsync("/api/v1/labels"));
        Assert.Equal(Hash(pki.Server.Certificate), reader.ServerCertificate!.GetCertHashString());

        // What --http serves, --https serves: health stays open, the UI's page, and a line sent over TCP is found.
        Assert.Equal("ok\n", await anonymous.Http.GetStringAsync("/healthz"));
        using (var page = await anonymous.Http.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }

        using (var tcp = await collector.ConnectAsync())
        {
            await tcp.GetStream().WriteAsync(SequencedMessages.Frame(1, 0, octetCounted: true));
        }

        await collector.WaitForLinesAsync(1);
        long day = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
        string found = await reader.Http.GetStringAsync($"/api/v1/query_range?start={day}&end={day + (86_400L * 1_000_000_000)}&limit=10");
        Assert.Contains(SequencedMessages.Body(1, 0), found, StringComparison.Ordinal);

        // The plain listener still serves, with the same rule.
        using var plain = new HttpClient { BaseAddress = new Uri(collector.BaseUrl) };
        using var plainResponse = await plain.GetAsync("/api/v1/labels");
        Assert.Equal(HttpStatusCode.Unauthorized, plainResponse.StatusCode);
    }

    [PeerFact("openssl")]
    public async Task HttpTwoIsNegotiatedAndAClientThatTrustsAnotherCaIsRefused()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        await using var collector = await RunningCollector.StartAsync(
            dir, "--https", "127.0.0.1:0", "--https-cert", pki.Server.Certificate, "--https-key", pki.Server.Key);

        using var good = new HttpsTestClient(collector.Https!, pki.CaCertificate);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using (var response = await good.Http.SendAsync(request))
        {
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
        }

        using var stranger = new HttpsTestClient(collector.Https!, pki.UntrustedCaCertificate);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => stranger.Http.GetAsync("/healthz"));
        Assert.IsType<AuthenticationException>(refused.InnerException);
    }

    [PeerFact("openssl")]
    public async Task ARotatedPairServesTheNextConnectionWithoutARestart()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        string cert = dir.Combine("https.crt"), key = dir.Combine("https.key");
        File.Copy(pki.Server.Certificate, cert);
        File.Copy(pki.Server.Key, key);
        await using var collector = await RunningCollector.StartAsync(
            dir, "--https", "127.0.0.1:0", "--https-cert", cert, "--https-key", key, "--tls-reload-interval", "100ms");
        using (var before = new HttpsTestClient(collector.Https!, pki.CaCertificate))
        {
            Assert.Equal(HttpStatusCode.OK, await before.StatusAsync("/healthz"));
            Assert.Equal(Hash(pki.Server.Certificate), before.ServerCertificate!.GetCertHashString());
        }

        // cert-manager's renewal: new files, each moved over the old in one rename.
        var rotated = await pki.ClientAsync("rotated", OpensslPki.ServerName);
        File.Copy(rotated.Certificate, cert + ".new");
        File.Copy(rotated.Key, key + ".new");
        File.Move(key + ".new", key, overwrite: true);
        File.Move(cert + ".new", cert, overwrite: true);
        await Wait.UntilAsync(() => collector.MetricAsync("kubesyslog_collector_https_certificate_reloads_total").Result == 1, "the reload");

        using var after = new HttpsTestClient(collector.Https!, pki.CaCertificate);
        Assert.Equal(HttpStatusCode.OK, await after.StatusAsync("/healthz"));
        Assert.Equal(Hash(rotated.Certificate), after.ServerCertificate!.GetCertHashString());

        // The syslog listeners' counters are their own.
        Assert.Equal(0, await collector.MetricAsync("kubesyslog_collector_tls_certificate_reloads_total"));
        Assert.Equal(
            new DateTimeOffset(X509Certificate2.CreateFromPem(File.ReadAllText(rotated.Certificate)).NotAfter.ToUniversalTime()).ToUnixTimeSeconds(),
            await collector.MetricAsync("kubesyslog_collector_https_certificate_not_after_seconds"));
    }

    /// <summary>The Collector as a process: the refusal is read from its log, as an operator would see it.</summary>
    [PeerFact("openssl")]
    public async Task ABadNewPairIsRefusedWithOneLogLineAndTheOldPairKeepsServing()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        string cert = dir.Combine("https.crt"), key = dir.Combine("https.key");
        File.Copy(pki.Server.Certificate, cert);
        File.Copy(pki.Server.Key, key);
        await using var collector = await CollectorProcess.StartAsync(
            dir.Combine("messages"), "--https", "127.0.0.1:0", "--https-cert", cert, "--https-key", key, "--tls-reload-interval", "100ms");
        await Wait.UntilAsync(() => collector.Https is not null, "the HTTPS endpoint in the log");

        // A key that belongs to another certificate.
        var other = await pki.ClientAsync("other", OpensslPki.ServerName);
        File.Copy(other.Key, key, overwrite: true);
        const string Refusal = "changed, but the new pair is refused";
        await Wait.UntilAsync(() => collector.Output.Contains(Refusal, StringComparison.Ordinal), "the refusal in the log");

        using (var client = new HttpsTestClient(collector.Https!, pki.CaCertificate))
        {
            Assert.Equal(HttpStatusCode.OK, await client.StatusAsync("/healthz"));
            Assert.Equal(Hash(pki.Server.Certificate), client.ServerCertificate!.GetCertHashString());
        }

        // The matching certificate arrives: taken; the bad pair was refused once, not at every check in between.
        File.Copy(other.Certificate, cert, overwrite: true);
        await Wait.UntilAsync(() => Loaded(collector.Output, cert) == 2, "the good pair loaded");
        using (var client = new HttpsTestClient(collector.Https!, pki.CaCertificate))
        {
            Assert.Equal(HttpStatusCode.OK, await client.StatusAsync("/healthz"));
            Assert.Equal(Hash(other.Certificate), client.ServerCertificate!.GetCertHashString());
        }

        string refusal = Assert.Single(collector.Output.Split('\n'), l => l.Contains(Refusal, StringComparison.Ordinal));
        Assert.Contains(key, refusal, StringComparison.Ordinal);
        Assert.Contains("new connections still get the previous certificate", refusal, StringComparison.Ordinal);
        using var http = new HttpClient();
        string metrics = await http.GetStringAsync(new Uri(collector.Http, "metrics"));
        Assert.Contains("kubesyslog_collector_https_certificate_reload_failures_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("kubesyslog_collector_https_certificate_reloads_total 1\n", metrics, StringComparison.Ordinal);
    }

    [PeerFact("openssl")]
    public async Task HttpsSettingsThatCannotServeStopTheStartNamingTheirKeys()
    {
        using var dir = TempDirectory.Create();
        var pki = await OpensslPki.CreateAsync(dir);
        string file = dir.Combine("m");

        Assert.Null(CollectorApp.Build(["--https", "127.0.0.1:0", "--file", file], out var missing));
        Assert.Equal(["Collector:HttpsCert and Collector:HttpsKey must both be set when Collector:Https is (was '' and '')"], missing);

        Assert.Null(CollectorApp.Build(["--https-cert", pki.Server.Certificate, "--https-key", pki.Server.Key, "--file", file], out var unused));
        Assert.Equal(["Collector:HttpsCert and Collector:HttpsKey are only used by Collector:Https, which is not set"], unused);

        var other = await pki.ClientAsync("other", "other.test");
        Assert.Null(CollectorApp.Build(
            ["--https", "127.0.0.1:0", "--https-cert", pki.Server.Certificate, "--https-key", other.Key, "--file", file], out var mismatched));
        string error = Assert.Single(mismatched);
        Assert.StartsWith(
            "Collector:HttpsCert and Collector:HttpsKey must be a PEM certificate valid now and its private key", error, StringComparison.Ordinal);

        Assert.Null(CollectorApp.Build(["--https", "127.0.0.1:8083", "--http", "127.0.0.1:8083", "--file", file], out var clash));
        Assert.Contains("Collector:Https must differ from Collector:Http, was '127.0.0.1:8083'", clash);
    }

    private static int Loaded(string output, string certificate) =>
        output.Split('\n').Count(l => l.Contains("TLS certificate loaded from " + certificate, StringComparison.Ordinal));

    private static string Hash(string pemFile) => X509Certificate2.CreateFromPem(File.ReadAllText(pemFile)).GetCertHashString();
}
