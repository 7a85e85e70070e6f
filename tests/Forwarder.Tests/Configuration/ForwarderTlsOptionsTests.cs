using System.Security.Cryptography.X509Certificates;
using Forwarder.Configuration;
using Microsoft.Extensions.Configuration;
using TestSupport;

namespace Forwarder.Tests.Configuration;

/// <summary>
/// <c>--tls-ca</c>, <c>--tls-cert</c>, <c>--tls-key</c> and <c>--tls-server-name</c>: read like every other setting,
/// and their files loaded at startup, so a bad one stops the Forwarder with its key instead of failing every connect.
/// </summary>
public sealed class ForwarderTlsOptionsTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create(nameof(ForwarderTlsOptionsTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("forwarder test CA");
    private readonly X509Certificate2 _client;
    private readonly (string Ca, string Certificate, string Key) _files;

    public ForwarderTlsOptionsTests()
    {
        _client = TestCertificates.CreateClient(_authority, "node-1");
        _files = ClientTestCertificates.WriteSecret(_directory.Combine("secret"), _authority, _client);
    }

    [Fact]
    public void SwitchesSetTheFilesAndTheServerNameForTlsTargets()
    {
        var options = Parse(
            "--to", "relp+tls://log-collector", "--to", "tls://backup:6514",
            "--tls-ca", _files.Ca, "--tls-cert", _files.Certificate, "--tls-key", _files.Key, "--tls-server-name", "collector.internal");

        Assert.Equal(["relp+tls://log-collector:2514", "tls://backup:6514"], options.Targets.Select(t => t.ToString()));
        var tls = options.ClientTls();
        Assert.Equal(
            (_files.Ca, _files.Certificate, _files.Key, "collector.internal"),
            (tls.CaFile, tls.CertificateFile, tls.KeyFile, tls.ServerName));
        Assert.True(tls.CheckServerName);
    }

    [Fact]
    public void EnvironmentKeysSetTheSameAsSwitches()
    {
        var options = Read(out var errors, new()
        {
            ["Forwarder:Targets:0"] = "tls://log-collector",
            ["Forwarder:TlsCa"] = _files.Ca,
            ["Forwarder:TlsCert"] = _files.Certificate,
            ["Forwarder:TlsKey"] = _files.Key,
        });

        Assert.Empty(errors);
        Assert.Equal((_files.Ca, _files.Certificate, _files.Key), (options.TlsCa, options.TlsCert, options.TlsKey));
    }

    [Fact]
    public void ATlsTargetWithoutFilesTrustsTheSystemStore()
    {
        var options = Read(out var errors, new() { ["Forwarder:Targets:0"] = "tls://log-collector", ["Forwarder:TlsCa"] = "" });
        Assert.Empty(errors);
        Assert.Null(options.ClientTls().CaFile);
    }

    [Fact]
    public void AMissingFileIsReportedWithItsKey()
    {
        string missing = _directory.Combine("nope", "ca.crt");
        Assert.Equal([$"Forwarder:TlsCa '{missing}' does not exist"], Errors(("Targets:0", "tls://c"), ("TlsCa", missing)));
    }

    [Fact]
    public void ADirectoryWhereAFileShouldBeIsReportedWithItsKey()
    {
        // A Secret's mount point given instead of one of its files.
        string directory = _directory.Combine("secret");
        var errors = Errors(("Targets:0", "tls://c"), ("TlsCert", _files.Certificate), ("TlsKey", directory));
        Assert.Equal([$"Forwarder:TlsKey '{directory}' is a directory, not a file"], errors);
    }

    [Fact]
    public void AKeyThatDoesNotMatchTheCertificateIsReported()
    {
        using var other = TestCertificates.CreateClient(_authority, "node-2");
        string otherKey = TestCertificates.WriteKey(_directory.Combine("other.key"), other);

        var error = Assert.Single(Errors(("Targets:0", "relp+tls://c"), ("TlsCert", _files.Certificate), ("TlsKey", otherKey)));

        string expected = $"Forwarder:TlsCert '{_files.Certificate}' with Forwarder:TlsKey '{otherKey}' cannot be loaded: ";
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ACertificateWithoutItsKeyIsReported() =>
        Assert.Equal(
            [$"Forwarder:TlsKey must be set with Forwarder:TlsCert '{_files.Certificate}'"],
            Errors(("Targets:0", "tls://c"), ("TlsCert", _files.Certificate)));

    [Fact]
    public void AnExpiredClientCertificateIsReported()
    {
        using var expired = ClientTestCertificates.CreateExpiredClient(_authority);
        var files = ClientTestCertificates.WriteSecret(_directory.Combine("expired"), _authority, expired);

        var error = Assert.Single(Errors(("Targets:0", "tls://c"), ("TlsCert", files.Certificate), ("TlsKey", files.Key)));

        Assert.Contains("cannot be loaded: the client certificate 'CN=expired-forwarder'", error, StringComparison.Ordinal);
        Assert.EndsWith(", not now", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ACaFileThatHoldsNoCertificateIsReported() =>
        Assert.Equal(
            [$"Forwarder:TlsCa '{_files.Key}' is not a PEM certificate bundle: it contains no PEM certificate"],
            Errors(("Targets:0", "tls://c"), ("TlsCa", _files.Key)));

    [Fact]
    public void AServerNameThatIsNotAHostNameIsReported() =>
        Assert.Equal(
            ["Forwarder:TlsServerName must be a DNS name or an IP address, was 'not a name'"],
            Errors(("Targets:0", "tls://c"), ("TlsServerName", "not a name")));

    [Fact]
    public void TlsSettingsWithoutATlsTargetAreReportedSinceTheyWouldSendInTheClear() =>
        Assert.Equal(
            ["Forwarder:TlsCa, Forwarder:TlsServerName set, but no target uses TLS (tls://HOST:PORT or relp+tls://HOST:PORT)"],
            Errors(("Targets:0", "relp://c"), ("Targets:1", "tcp://d"), ("TlsCa", _files.Ca), ("TlsServerName", "c")));

    [Fact]
    public void TheAppDoesNotStartWithABadTlsFileAndSaysWhy()
    {
        string missing = _directory.Combine("missing.key");
        var app = ForwarderApp.Build(
            ["--to", "relp+tls://127.0.0.1:1", "--state", _directory.Combine("state"), "--tls-cert", _files.Certificate, "--tls-key", missing],
            out var errors);

        Assert.Null(app);
        Assert.Equal([$"Forwarder:TlsKey '{missing}' does not exist"], errors);
    }

    public void Dispose()
    {
        _client.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    private static ForwarderOptions Parse(params string[] args)
    {
        Assert.True(CommandLine.TryParse(args, out var switches, out _, out string? error), error);
        var options = Read(out var errors, switches);
        Assert.Empty(errors);
        return options;
    }

    private static List<string> Errors(params (string Key, string Value)[] values)
    {
        Read(out var errors, values.ToDictionary(v => "Forwarder:" + v.Key, v => (string?)v.Value));
        return errors;
    }

    private static ForwarderOptions Read(out List<string> errors, Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return ForwarderOptionsReader.Read(configuration, out errors);
    }
}
