using System.Security.Cryptography.X509Certificates;
using Shared.Transport;
using TestSupport;

namespace Shared.Tests.Transport;

public sealed class SyslogSenderOptionsValidatorTlsTests : IDisposable
{
    private readonly TempDirectory _directory = TempDirectory.Create(nameof(SyslogSenderOptionsValidatorTlsTests));
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("validator CA");
    private readonly X509Certificate2 _client;
    private readonly string _caFile;
    private readonly string _certificateFile;
    private readonly string _keyFile;

    public SyslogSenderOptionsValidatorTlsTests()
    {
        _client = TestCertificates.CreateClient(_authority);
        _caFile = TestCertificates.WritePem(_directory.Combine("ca.crt"), _authority);
        _certificateFile = TestCertificates.WritePem(_directory.Combine("client.crt"), _client);
        _keyFile = TestCertificates.WriteKey(_directory.Combine("client.key"), _client);
    }

    [Fact]
    public void TlsWithReadableFilesIsValid()
    {
        var options = Options(new SyslogTlsOptions
        {
            CaFile = _caFile,
            CertificateFile = _certificateFile,
            KeyFile = _keyFile,
            ServerName = "collector.logging.svc",
        });

        Assert.Empty(SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void TlsWithoutAnyFileUsesTheSystemStoreAndIsValid()
    {
        Assert.Empty(SyslogSenderOptionsValidator.Validate(Options(new SyslogTlsOptions())));
    }

    [Fact]
    public void EmptyFileSettingsCountAsNotSet()
    {
        var options = Options(new SyslogTlsOptions { CaFile = "", CertificateFile = " ", KeyFile = "", ServerName = "" });

        Assert.Empty(SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void TlsOverUdpIsReported()
    {
        var options = Options(new SyslogTlsOptions());
        options.Protocol = SyslogTransportProtocol.Udp;

        Assert.Equal(["Tls requires Protocol Tcp or Relp, was Udp"], SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void MissingFilesAreReportedWithTheirKeyAndPath()
    {
        string missing = _directory.Combine("missing.pem");
        var options = Options(new SyslogTlsOptions { CaFile = missing, CertificateFile = missing, KeyFile = missing });

        Assert.Equal(
            [
                $"Forwarder:Target:Tls:CaFile '{missing}' does not exist",
                $"Forwarder:Target:Tls:CertificateFile '{missing}' does not exist",
                $"Forwarder:Target:Tls:KeyFile '{missing}' does not exist",
            ],
            SyslogSenderOptionsValidator.Validate(options, "Forwarder:Target:"));
    }

    [Fact]
    public void ACertificateWithoutItsKeyIsReported()
    {
        var options = Options(new SyslogTlsOptions { CertificateFile = _certificateFile });

        Assert.Equal([$"Tls:KeyFile must be set with Tls:CertificateFile '{_certificateFile}'"], SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void AKeyWithoutItsCertificateIsReported()
    {
        var options = Options(new SyslogTlsOptions { KeyFile = _keyFile });

        Assert.Equal([$"Tls:CertificateFile must be set with Tls:KeyFile '{_keyFile}'"], SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void AKeyThatDoesNotBelongToTheCertificateIsReported()
    {
        using var other = TestCertificates.CreateClient(_authority, "someone else");
        string otherKey = TestCertificates.WriteKey(_directory.Combine("other.key"), other);
        var options = Options(new SyslogTlsOptions { CertificateFile = _certificateFile, KeyFile = otherKey });

        string error = Assert.Single(SyslogSenderOptionsValidator.Validate(options));
        Assert.StartsWith($"Tls:CertificateFile '{_certificateFile}' with Tls:KeyFile '{otherKey}' cannot be loaded: ", error);
    }

    [Fact]
    public void ACaFileWithoutCertificatesIsReported()
    {
        // A key is PEM too, but not a certificate: a CA bundle mixed up with a key file.
        var options = Options(new SyslogTlsOptions { CaFile = _keyFile });

        Assert.Equal(
            [$"Tls:CaFile '{_keyFile}' is not a PEM certificate bundle: it contains no PEM certificate"],
            SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void AServerNameThatIsNotAHostNameIsReported()
    {
        var options = Options(new SyslogTlsOptions { ServerName = "two words" });

        Assert.Equal(["Tls:ServerName must be a DNS name or an IP address, was 'two words'"], SyslogSenderOptionsValidator.Validate(options));
    }

    [Fact]
    public void CreatingASenderWithABadTlsFileThrows()
    {
        var options = Options(new SyslogTlsOptions { CaFile = _directory.Combine("missing.pem") });

        var error = Assert.Throws<ArgumentException>(() => SyslogSender.Create(options));
        Assert.Contains("Tls:CaFile", error.Message);
    }

    public void Dispose()
    {
        _client.Dispose();
        _authority.Dispose();
        _directory.Dispose();
    }

    private static SyslogSenderOptions Options(SyslogTlsOptions tls) => new() { Host = "127.0.0.1", Tls = tls };
}
