using Collector.Configuration;
using Forwarder.Configuration;
using TestSupport;

namespace Deploy.Tests.Kubernetes;

/// <summary>
/// The node-certificates component, after tls: each Forwarder shows its own node's client pair from a directory on
/// the node (a DaemonSet cannot mount a Secret per node), and the Collector binds each message's HOSTNAME to it.
/// </summary>
public sealed class NodeCertificatesComponentTests
{
    private const string NodeDirectory = "/etc/kube-syslog/forwarder-tls";

    [KubectlFact]
    public async Task EachForwarderReadsItsClientPairFromItsNodesDirectoryNotFromTheSharedSecret()
    {
        var rendered = await Rendered.WithComponentsAsync("tls", "node-certificates");
        var environment = rendered.Environment("DaemonSet", "log-forwarder");
        Assert.Empty(Settings.UnknownKeys(environment, ForwarderOptions.Section, Settings.ForwarderKeys));
        Assert.True(TargetUri.Parse(environment["Forwarder__Targets__0"]).Tls);

        var files = new[] { ("Forwarder__TlsCert", "tls.crt"), ("Forwarder__TlsKey", "tls.key"), ("Forwarder__TlsCa", "ca.crt") };
        foreach (var (key, file) in files)
        {
            var (volume, relative) = rendered.VolumeFileAt("DaemonSet", "log-forwarder", environment[key]);
            Assert.Equal(file, relative);
            Assert.Null(volume.At("secret"));
            Assert.Equal(NodeDirectory, volume.Required("hostPath", "path"));
            // A node without its pair must not get an empty directory in its place: the pod waits with a FailedMount.
            Assert.Equal("Directory", volume.Required("hostPath", "type"));
        }

        var volumes = rendered.Single("DaemonSet", "log-forwarder").At("spec", "template", "spec")!.Items("volumes");
        Assert.DoesNotContain(volumes, v => v.Text("secret", "secretName") == "log-forwarder-tls");
    }

    [KubectlFact]
    public async Task TheCollectorRejectsMessagesWhoseHostnameIsNotTheNodeTheirCertificateNames()
    {
        var rendered = await Rendered.WithComponentsAsync("tls", "node-certificates");
        var environment = rendered.Environment("Deployment", "log-collector");
        Assert.Empty(Settings.UnknownKeys(environment, CollectorOptions.Section, Settings.CollectorKeys));
        using var files = TempDirectory.Create();
        var options = Settings.ReadCollector(WithMountedFilesIn(environment, files));
        Assert.True(options.IdentityFromCert);
        Assert.Equal(IdentityMismatch.Reject, options.IdentityMismatch);
        // Client certificates are still required: the identity is the certificate's.
        Assert.Equal("certvalid", environment["Collector__TlsClientAuth"]);
        Assert.Equal("true", environment["Collector__IdentityFromCert"]);
    }

    [KubectlFact]
    public async Task TheForwardersHostnameIsTheNodeNameTheCertificateIsIssuedFor()
    {
        // make-certs.sh names each certificate after a node of `kubectl get nodes`: the Forwarder must write that
        // name, spec.nodeName, as HOSTNAME, and no setting may replace it.
        var rendered = await Rendered.WithComponentsAsync("tls", "node-certificates");
        Assert.False(rendered.Environment("DaemonSet", "log-forwarder").ContainsKey("Forwarder__Node"));
        var nodeName = rendered.Container("DaemonSet", "log-forwarder").Items("env").Single(e => e.Text("name") == "NODE_NAME");
        Assert.Equal("spec.nodeName", nodeName.Required("valueFrom", "fieldRef", "fieldPath"));
    }

    [KubectlFact]
    public async Task WithTheSharedCertificateAloneTheCollectorDoesNotCheckIdentity()
    {
        // One pair on every node names no node: every HOSTNAME would mismatch it.
        var rendered = await Rendered.WithComponentsAsync("tls", "cert-manager");
        using var files = TempDirectory.Create();
        Assert.False(Settings.ReadCollector(WithMountedFilesIn(rendered.Environment("Deployment", "log-collector"), files)).IdentityFromCert);
    }

    // The Collector's reader checks that the TLS files exist: the same settings with each mounted path an empty file in
    // a temp directory (the contents are read at start, which the make-certs.sh tests do with real ones; the
    // Forwarder's reader loads them, so its settings are checked there too).
    private static Dictionary<string, string> WithMountedFilesIn(IReadOnlyDictionary<string, string> environment, TempDirectory dir) =>
        environment.ToDictionary(e => e.Key, e =>
        {
            if (!e.Value.StartsWith("/etc/kube-syslog/tls/", StringComparison.Ordinal))
            {
                return e.Value;
            }

            string file = dir.Combine(Path.GetFileName(e.Value));
            File.WriteAllText(file, string.Empty);
            return file;
        });
}
