using System.Net;
using Forwarder.Configuration;
using Microsoft.Extensions.Configuration;
using Shared.Syslog;

namespace Forwarder.Tests.Configuration;

public sealed class ForwarderOptionsReaderTests
{
    [Fact]
    public void WithNothingConfiguredEverySettingHasItsDefault()
    {
        var options = Read(out var errors);
        Assert.Empty(errors);
        Assert.Equal(["/var/log/containers/*.log"], options.Include);
        Assert.Empty(options.Exclude);
        Assert.Equal(["log-forwarder-*", "log-collector-*"], options.ExcludePods);
        Assert.Equal([TargetUri.Parse("tcp://127.0.0.1:5514")], options.Targets);
        Assert.Equal(Path.Combine(".", "data", "forwarder-state"), options.State);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8084), options.Http);
        Assert.Equal(StartPosition.Beginning, options.StartAt);
        Assert.Equal(256 * 1024, options.MaxLineSize);
        Assert.Equal(Facility.User, options.Facility);
        Assert.Equal(Severity.Informational, options.StdoutSeverity);
        Assert.Equal(Severity.Error, options.StderrSeverity);
        Assert.Equal("k8s@32473", options.StructuredDataId);
        Assert.Null(options.RelpWindowSize);
        Assert.False(string.IsNullOrEmpty(options.Node));
    }

    [Theory]
    [InlineData("auto", null)]
    [InlineData("AUTO", null)]
    [InlineData("1", 1)]
    [InlineData("4096", 4096)]
    [InlineData("65536", 65536)]
    public void TheRelpWindowIsAutoOrANumber(string text, int? window)
    {
        var options = Read(out var errors, new() { ["Forwarder:RelpWindowSize"] = text });
        Assert.Empty(errors);
        Assert.Equal(window, options.RelpWindowSize);
    }

    [Fact]
    public void RepeatedSwitchesBecomeListsInTheirOrder()
    {
        Assert.True(CommandLine.TryParse(
            [
                "--include", "/var/log/containers/*.log", "--include", "/var/lib/gravity/site/**/*.log",
                "--to", "tcp://a:1", "--to", "udp://b:2", "--exclude-namespace", "kube-system",
            ],
            out var switches, out _, out _));
        var options = Read(out var errors, switches);
        Assert.Empty(errors);
        Assert.Equal(["/var/log/containers/*.log", "/var/lib/gravity/site/**/*.log"], options.Include);
        Assert.Equal(["tcp://a:1", "udp://b:2"], options.Targets.Select(t => t.ToString()));
        Assert.Equal(["kube-system"], options.ExcludeNamespaces);
    }

    [Fact]
    public void AListCanBeOnePlainValueAsFromASingleEnvironmentVariable()
    {
        var options = Read(out var errors, new() { ["Forwarder:Targets"] = "tcp+lf://collector:514" });
        Assert.Empty(errors);
        Assert.Equal("tcp+lf://collector:514", Assert.Single(options.Targets).ToString());
    }

    [Theory]
    [InlineData(
        "Forwarder:Targets:0",
        "http://x:1",
        "Forwarder:Targets:0 has an unknown scheme 'http' (relp, relp+tls, tls, tcp, tcp+lf or udp), was 'http://x:1'")]
    [InlineData("Forwarder:Include:0", "var/log/*.log", "Forwarder:Include:0 must be an absolute glob")]
    [InlineData("Forwarder:StartAt", "middle", "Forwarder:StartAt must be beginning or end, was 'middle'")]
    [InlineData("Forwarder:MaxLineSize", "12", "Forwarder:MaxLineSize must be a size from 1KiB to 64MiB, was '12'")]
    [InlineData("Forwarder:QueueSize", "1k", "Forwarder:QueueSize must be a size from 256KiB to 4GiB, was '1k'")]
    [InlineData("Forwarder:CheckpointInterval", "0", "Forwarder:CheckpointInterval must be a duration such as 500ms, 1s or 2m, was '0'")]
    [InlineData("Forwarder:Facility", "local9", "Forwarder:Facility must be a facility name")]
    [InlineData("Forwarder:StderrSeverity", "loud", "Forwarder:StderrSeverity must be a severity name")]
    [InlineData("Forwarder:StructuredDataId", "k8s id", "Forwarder:StructuredDataId must be an SD-ID")]
    [InlineData("Forwarder:Http", "nowhere", "Forwarder:Http must be HOST:PORT")]
    [InlineData("Forwarder:RelpWindowSize", "0", "Forwarder:RelpWindowSize must be auto or a whole number from 1 to 65536, was '0'")]
    [InlineData("Forwarder:RelpWindowSize", "automatic", "Forwarder:RelpWindowSize must be auto or a whole number from 1 to 65536, was 'automatic'")]
    [InlineData("Forwarder:MaxDatagramSize", "100", "Forwarder:MaxDatagramSize must be a whole number from 480 to 65507, was '100'")]
    public void EveryBadValueIsReportedWithItsKey(string key, string value, string expected)
    {
        Read(out var errors, new() { [key] = value });
        Assert.StartsWith(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local7", Facility.Local7)]
    [InlineData("DAEMON", Facility.Daemon)]
    [InlineData("16", Facility.Local0)]
    public void FacilitiesAreSyslogNamesOrNumbers(string text, Facility facility) =>
        Assert.Equal(facility, Read(out _, new() { ["Forwarder:Facility"] = text }).Facility);

    [Theory]
    [InlineData("warning", Severity.Warning)]
    [InlineData("warn", Severity.Warning)]
    [InlineData("err", Severity.Error)]
    [InlineData("info", Severity.Informational)]
    [InlineData("7", Severity.Debug)]
    public void SeveritiesAreSyslogNamesOrNumbers(string text, Severity severity) =>
        Assert.Equal(severity, Read(out _, new() { ["Forwarder:StdoutSeverity"] = text }).StdoutSeverity);

    [Fact]
    public void SeveralMistakesAreReportedAtOnce()
    {
        Read(out var errors, new() { ["Forwarder:StartAt"] = "x", ["Forwarder:Targets:0"] = "y", ["Forwarder:LogFormat"] = "xml" });
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void MetadataSettingsAreReadAndTheirMistakesNamedByKey()
    {
        var options = Read(out var errors, new()
        {
            ["Forwarder:MetadataSource"] = "apiserver",
            ["Forwarder:KubeUrl"] = "https://10.96.0.1:443",
            ["Forwarder:PodLabels"] = "app, team.example.com/owner",
            ["Forwarder:MetadataWait"] = "500ms",
        });
        Assert.Empty(errors);
        Assert.Equal(MetadataSourceKind.ApiServer, options.MetadataSource);
        Assert.Equal(new Uri("https://10.96.0.1:443"), options.KubeUrl);
        Assert.Equal(["app", "team.example.com/owner"], options.PodLabels);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.MetadataWait);

        // Outside a cluster (no KUBERNETES_SERVICE_HOST here) the API server needs a URL; a label key that would make
        // "l." + key longer than an SD-NAME may be is refused.
        Read(out errors, new() { ["Forwarder:MetadataSource"] = "apiserver" });
        Assert.Equal(
            ["Forwarder:MetadataSource is apiserver, but neither Forwarder:KubeUrl (--kube-url) nor KUBERNETES_SERVICE_HOST is set"],
            errors);
        Read(out errors, new() { ["Forwarder:MetadataSource"] = "kubelets" });
        Assert.Equal(["Forwarder:MetadataSource must be apiserver, kubelet or off, was 'kubelets'"], errors);
        Read(out errors, new() { ["Forwarder:PodLabels"] = "app,example.com/a-key-longer-than-30-chars" });
        Assert.Single(errors, e => e.StartsWith("Forwarder:PodLabels must be label keys", StringComparison.Ordinal));
    }

    [Fact]
    public void KubeletSettingsAreReadAndTheirMistakesNamedByKey()
    {
        var options = Read(out var errors, new()
        {
            ["Forwarder:MetadataSource"] = "kubelet",
            ["Forwarder:KubeletUrl"] = "https://10.0.0.11:10250/pods",
            ["Forwarder:KubeletCaFile"] = "/etc/kubelet-ca.crt",
            ["Forwarder:KubeletPoll"] = "30s",
            ["Forwarder:KubeUrl"] = "https://10.96.0.1:443",
            ["Forwarder:NamespaceLabels"] = "team, example.com/tier",
        });
        Assert.Empty(errors);
        Assert.Equal(MetadataSourceKind.Kubelet, options.MetadataSource);
        Assert.Equal(new Uri("https://10.0.0.11:10250/pods"), options.KubeletUrl);
        Assert.Equal("/etc/kubelet-ca.crt", options.KubeletCaFile);
        Assert.Equal(TimeSpan.FromSeconds(30), options.KubeletPoll);
        Assert.Equal(["team", "example.com/tier"], options.NamespaceLabels);

        // Without --kubelet-url the kubelet is found at NODE_IP, which a test process does not have.
        Read(out errors, new() { ["Forwarder:MetadataSource"] = "kubelet" });
        Assert.Equal(
            ["Forwarder:MetadataSource is kubelet, but neither Forwarder:KubeletUrl (--kubelet-url) nor NODE_IP (the node's IP address, "
                + "fieldRef status.hostIP) is set"],
            errors);
        Read(out errors, new()
        {
            ["Forwarder:MetadataSource"] = "kubelet",
            ["Forwarder:KubeletUrl"] = "ftp://10.0.0.11/pods",
            ["Forwarder:KubeletPoll"] = "100ms",
            ["Forwarder:KubeletInsecureTls"] = "yes",
        });
        Assert.Equal(
            [
                "Forwarder:KubeletUrl must be an http:// or https:// URL, was 'ftp://10.0.0.11/pods'",
                "Forwarder:KubeletInsecureTls must be true or false, was 'yes'",
                "Forwarder:KubeletPoll must be a duration from 1s to 1h, was '100ms'",
                "Forwarder:MetadataSource is kubelet, but neither Forwarder:KubeletUrl (--kubelet-url) nor NODE_IP (the node's IP address, "
                    + "fieldRef status.hostIP) is set",
            ],
            errors);
        Read(out errors, new()
        {
            ["Forwarder:MetadataSource"] = "kubelet",
            ["Forwarder:KubeletUrl"] = "https://10.0.0.11:10250/pods",
            ["Forwarder:KubeletInsecureTls"] = "true",
            ["Forwarder:KubeletCaFile"] = "/etc/kubelet-ca.crt",
        });
        Assert.Equal(
            ["Forwarder:KubeletInsecureTls is true and Forwarder:KubeletCaFile is set: give the CA to check the kubelet's certificate, "
                + "or skip the check, not both"],
            errors);
    }

    [Fact]
    public void NamespaceLabelsNeedAMetadataSourceAndAnApiServer()
    {
        Read(out var errors, new() { ["Forwarder:MetadataSource"] = "off", ["Forwarder:NamespaceLabels"] = "team" });
        Assert.Equal(
            ["Forwarder:NamespaceLabels is set, but Forwarder:MetadataSource is off: namespace labels are added to a pod's metadata, so "
                + "they need --metadata-source apiserver or kubelet"],
            errors);
        Read(out errors, new()
        {
            ["Forwarder:MetadataSource"] = "kubelet",
            ["Forwarder:KubeletUrl"] = "https://10.0.0.11:10250/pods",
            ["Forwarder:NamespaceLabels"] = "team",
        });
        Assert.Equal(
            ["Forwarder:NamespaceLabels reads namespaces from the API server, but neither Forwarder:KubeUrl (--kube-url) nor "
                + "KUBERNETES_SERVICE_HOST is set"],
            errors);
        Read(out errors, new() { ["Forwarder:NamespaceLabels"] = "team,example.com/a-key-longer-than-30-chars" });
        Assert.Single(errors, e => e.StartsWith("Forwarder:NamespaceLabels must be label keys", StringComparison.Ordinal));
    }

    private static ForwarderOptions Read(out List<string> errors, Dictionary<string, string?>? values = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values ?? []).Build();
        return ForwarderOptionsReader.Read(configuration, out errors);
    }
}
