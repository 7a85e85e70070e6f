using System.Text;
using Deploy.Tests.Kubernetes;
using TestSupport;

namespace Deploy.Tests.Tls;

/// <summary>
/// deploy/kubernetes/components/tls/make-certs.sh, run for real: openssl checks what it made, and the Collector and the
/// Forwarder, with the tls component's settings and these certificates, ship lines over RELP inside TLS.
/// </summary>
public sealed class MakeCertsTests
{
    private const string Script = "deploy/kubernetes/components/tls/make-certs.sh";

    private const string Mismatches = "kubesyslog_collector_identity_mismatches_total";

    // openssl run in the output directory ($0), with the test's arguments ($@).
    private const string InDirectory = "cd \"$0\" && exec openssl \"$@\"";

    [PeerFact("bash", "openssl")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task TheCertificatesChainToTheCaWithTheRightPurposesNamesAndKeys()
    {
        using var dir = TempDirectory.Create();
        string output = dir.Combine("certs");
        await RunScriptAsync(output, "logging");

        Assert.Equal("collector.crt: OK\n", await OpensslAsync(output, "verify", "-CAfile", "ca.crt", "-purpose", "sslserver", "collector.crt"));
        Assert.Equal("forwarder.crt: OK\n", await OpensslAsync(output, "verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "forwarder.crt"));
        // Each is fit for its own side only (error 26: X509_V_ERR_INVALID_PURPOSE).
        foreach (var (purpose, file) in new[] { ("sslclient", "collector.crt"), ("sslserver", "forwarder.crt") })
        {
            Assert.Contains("error 26 at 0 depth", await OpensslFailsAsync(output, "verify", "-CAfile", "ca.crt", "-purpose", purpose, file));
        }

        foreach (string name in new[] { "log-collector", "log-collector.logging.svc", "log-collector.logging.svc.cluster.local" })
        {
            Assert.Contains("does match", await OpensslAsync(output, "x509", "-in", "collector.crt", "-noout", "-checkhost", name));
        }

        string otherNamespace = "log-collector.kube-syslog.svc";
        Assert.Contains("does NOT match", await OpensslAsync(output, "x509", "-in", "collector.crt", "-noout", "-checkhost", otherNamespace));
        foreach (string pair in new[] { "collector", "forwarder" })
        {
            Assert.Equal(
                await OpensslAsync(output, "x509", "-in", $"{pair}.crt", "-noout", "-pubkey"),
                await OpensslAsync(output, "pkey", "-in", $"{pair}.key", "-pubout"));
        }

        // Private keys readable by their owner only.
        Assert.All(new[] { "ca.key", "collector.key", "forwarder.key" }, k =>
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(output, k))));
    }

    [PeerFact("bash", "openssl")]
    public async Task TheSecretsAreTheOnesTheTlsComponentMountsWithTheFilesAsTheirKeys()
    {
        using var dir = TempDirectory.Create();
        string output = dir.Combine("certs");
        await RunScriptAsync(output, "logging");

        var secrets = Yaml.LoadDocuments(Path.Combine(output, "secrets.yaml"));
        var mounted = new[] { "collector-tls-patch.yaml", "forwarder-tls-patch.yaml" }
            .SelectMany(p => Yaml.LoadDocuments(Repository.File($"deploy/kubernetes/components/tls/{p}")))
            .SelectMany(o => o.Items("spec", "template", "spec", "volumes"))
            .Select(v => v.Required("secret", "secretName"))
            .Order();
        Assert.Equal(mounted, secrets.Select(s => s.Required("metadata", "name")).Order());
        foreach (var (secret, pair) in new[] { ("log-collector-tls", "collector"), ("log-forwarder-tls", "forwarder") })
        {
            var document = secrets.Single(s => s.Text("metadata", "name") == secret);
            Assert.Equal("kubernetes.io/tls", document.Text("type"));
            Assert.Equal("logging", document.Text("metadata", "namespace"));
            var data = document.Scalars("data");
            Assert.Equal(["ca.crt", "tls.crt", "tls.key"], data.Keys.Order());
            Assert.Equal(File.ReadAllText(Path.Combine(output, $"{pair}.crt")), Decode(data["tls.crt"]));
            Assert.Equal(File.ReadAllText(Path.Combine(output, $"{pair}.key")), Decode(data["tls.key"]));
            Assert.Equal(File.ReadAllText(Path.Combine(output, "ca.crt")), Decode(data["ca.crt"]));
        }
    }

    [PeerFact("bash", "openssl")]
    public async Task ASecondRunKeepsTheCaAndIssuesNewCertificatesUnderIt()
    {
        using var dir = TempDirectory.Create();
        string output = dir.Combine("certs");
        await RunScriptAsync(output, "kube-syslog");
        string ca = File.ReadAllText(Path.Combine(output, "ca.crt"));
        string first = File.ReadAllText(Path.Combine(output, "collector.crt"));
        await RunScriptAsync(output, "kube-syslog");
        Assert.Equal(ca, File.ReadAllText(Path.Combine(output, "ca.crt")));
        Assert.NotEqual(first, File.ReadAllText(Path.Combine(output, "collector.crt")));
        Assert.Equal("collector.crt: OK\n", await OpensslAsync(output, "verify", "-CAfile", "ca.crt", "collector.crt"));
    }

    [PeerFact("bash", "openssl")]
    public async Task BadArgumentsAreRefusedWithTheReasonAndNothingIsWritten()
    {
        using var dir = TempDirectory.Create();
        var cases = new (string[] Arguments, string Days, string Expected)[]
        {
            ([], "365", "usage:"),
            ([dir.Combine("a"), "Not_A_Namespace"], "365", "'Not_A_Namespace' is not a namespace name"),
            ([dir.Combine("b")], "soon", "DAYS must be a positive whole number, was 'soon'"),
            ([dir.Combine("c"), "kube-syslog", "node-1", "Node_2"], "365", "'Node_2' is not a node name"),
            ([dir.Combine("d"), "kube-syslog", "node-1", "-rm"], "365", "'-rm' is not a node name"),
        };
        foreach (var (arguments, days, expected) in cases)
        {
            var result = await RunAsync(arguments, days);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(expected, result.StandardError, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [PeerFact("bash", "openssl")]
    public async Task TheForwarderShipsOverRelpTlsToTheCollectorWithTheseCertificatesAndTheComponentsSettings()
    {
        using var dir = TempDirectory.Create();
        string certs = dir.Combine("certs");
        await RunScriptAsync(certs, "kube-syslog");
        var collectorTls = EnvFile.Load(Repository.File("deploy/kubernetes/components/tls/collector-tls.env"));
        var forwarderTls = EnvFile.Load(Repository.File("deploy/kubernetes/components/tls/forwarder-tls.env"));
        var target = Forwarder.Configuration.TargetUri.Parse(forwarderTls["Forwarder__Targets__0"]);
        await using var delivery = await TlsDelivery.StartAsync(dir, certs, collectorTls["Collector__TlsClientAuth"], target.Host);

        var lines = Enumerable.Range(0, 200).Select(i => $"over tls {i:D3}").ToList();
        delivery.Log.AppendMany([.. lines, "sentinel"]);
        Assert.Equal([.. lines, "sentinel"], await delivery.StoredUntilAsync("sentinel"));
    }

    [PeerFact("bash", "openssl")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task WithNodeNamesEachNodeGetsAClientCertificateNamingOnlyItInItsOwnDirectory()
    {
        using var dir = TempDirectory.Create();
        string output = dir.Combine("certs");
        // "collector" is a node name too: its pair must not replace the server's collector.crt.
        string[] nodes = ["node-1", "ip-10-0-0-1.ec2.internal", "collector"];
        await RunScriptAsync(output, "kube-syslog", nodes);

        Assert.Equal(nodes.Order(), Directory.GetDirectories(Path.Combine(output, "nodes")).Select(Path.GetFileName).Order());
        Assert.Equal("collector.crt: OK\n", await OpensslAsync(output, "verify", "-CAfile", "ca.crt", "-purpose", "sslserver", "collector.crt"));
        foreach (string node in nodes)
        {
            string nodeDir = Path.Combine(output, "nodes", node);
            Assert.Equal(["ca.crt", "tls.crt", "tls.key"], Directory.GetFiles(nodeDir).Select(Path.GetFileName).Order());
            Assert.Equal(File.ReadAllText(Path.Combine(output, "ca.crt")), File.ReadAllText(Path.Combine(nodeDir, "ca.crt")));
            Assert.Equal("tls.crt: OK\n", await OpensslAsync(nodeDir, "verify", "-CAfile", "ca.crt", "-purpose", "sslclient", "tls.crt"));
            Assert.Contains(
                "error 26 at 0 depth", await OpensslFailsAsync(nodeDir, "verify", "-CAfile", "ca.crt", "-purpose", "sslserver", "tls.crt"));
            // Exactly one name, the node's: the Collector maps SAN DNS names to nodes.
            string san = await OpensslAsync(nodeDir, "x509", "-in", "tls.crt", "-noout", "-ext", "subjectAltName");
            Assert.Equal($"DNS:{node}", san.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1]);
            Assert.Equal(
                await OpensslAsync(nodeDir, "x509", "-in", "tls.crt", "-noout", "-pubkey"),
                await OpensslAsync(nodeDir, "pkey", "-in", "tls.key", "-pubout"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(nodeDir, "tls.key")));
        }

        // Every node has its own key.
        var keys = nodes.Select(n => File.ReadAllText(Path.Combine(output, "nodes", n, "tls.key"))).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [PeerFact("bash", "openssl")]
    public async Task WithTheNodeCertificatesComponentANodeStoresUnderItsOwnNameAndAnotherNodesCertificateCannot()
    {
        using var dir = TempDirectory.Create();
        string certs = dir.Combine("certs");
        await RunScriptAsync(certs, "kube-syslog", "node-1", "node-2");
        var collectorTls = EnvFile.Load(Repository.File("deploy/kubernetes/components/tls/collector-tls.env"));
        var identity = EnvFile.Load(Repository.File("deploy/kubernetes/components/node-certificates/collector-identity.env"));
        var target = Forwarder.Configuration.TargetUri.Parse(
            EnvFile.Load(Repository.File("deploy/kubernetes/components/tls/forwarder-tls.env"))["Forwarder__Targets__0"]);
        await using var delivery = await TlsDelivery.StartCollectorAsync(
            dir, certs, collectorTls["Collector__TlsClientAuth"], target.Host, identity);
        string Pair(string node, string file) => Path.Combine(certs, "nodes", node, file);

        // node-2's pair on a Forwarder that says it is node-1: its lines must not be stored as node-1's.
        var spoofer = await delivery.AddForwarderAsync("node-1", Pair("node-2", "tls.crt"), Pair("node-2", "tls.key"));
        spoofer.AppendMany(["spoofed 1", "spoofed 2"]);
        await Wait.UntilAsync(
            () => delivery.MetricAsync(Mismatches, "peer=\"node-2\"", "action=\"rejected\"").GetAwaiter().GetResult() >= 2,
            "node-2's two lines rejected",
            TimeSpan.FromSeconds(60));

        var own = await delivery.AddForwarderAsync("node-1", Pair("node-1", "tls.crt"), Pair("node-1", "tls.key"));
        var lines = Enumerable.Range(0, 100).Select(i => $"own {i:D3}").ToList();
        own.AppendMany([.. lines, "sentinel"]);
        Assert.Equal([.. lines, "sentinel"], await delivery.StoredUntilAsync("sentinel"));
        Assert.All(delivery.StoredLines(), l => Assert.Contains(" node-1 ", l, StringComparison.Ordinal));
        Assert.Equal(2, await delivery.MetricAsync(Mismatches));
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    internal static async Task RunScriptAsync(string output, string ns, params string[] nodes)
    {
        var result = await RunAsync([output, ns, .. nodes], "365");
        Assert.True(result.ExitCode == 0, result.StandardError);
    }

    private static Task<ProcessRunner.Result> RunAsync(string[] arguments, string days) =>
        ProcessRunner.RunAsync("env", [$"DAYS={days}", "bash", Repository.File(Script), .. arguments], TimeSpan.FromSeconds(60));

    private static async Task<string> OpensslAsync(string directory, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("bash", ["-c", InDirectory, directory, .. arguments], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    private static async Task<string> OpensslFailsAsync(string directory, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("bash", ["-c", InDirectory, directory, .. arguments], TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, result.ExitCode);
        return result.StandardOutput + result.StandardError;
    }
}
