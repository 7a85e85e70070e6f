using System.Globalization;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A throwaway PKI made with the <c>openssl</c> command, as an operator without cert-manager would make one (ECDSA
/// P-256, PEM files in a temp directory): a CA, a second CA nobody trusts, a server certificate for
/// <see cref="ServerName"/> and 127.0.0.1, and client certificates that are good, expired, issued by the untrusted CA
/// or named otherwise. The files are what rsyslog (gtls and ossl drivers) and the Collector both read.
/// </summary>
public sealed class OpensslPki
{
    public const string ServerName = "syslog.test";

    private readonly string _openssl;
    private readonly string _directory;

    private OpensslPki(string openssl, string directory)
    {
        _openssl = openssl;
        _directory = directory;
    }

    /// <summary>The CA every good certificate chains to (the client CA and the server's issuer).</summary>
    public string CaCertificate => Path.Combine(_directory, "ca.crt");

    /// <summary>A second CA: its certificates are well formed and trusted by nobody here.</summary>
    public string UntrustedCaCertificate => Path.Combine(_directory, "untrusted-ca.crt");

    public Pair Server { get; private set; } = null!;

    /// <summary>Makes the CAs and the server pair in <paramref name="directory"/>.</summary>
    public static async Task<OpensslPki> CreateAsync(TempDirectory directory)
    {
        var pki = new OpensslPki(Peers.Require("openssl"), directory.Combine("pki"));
        Directory.CreateDirectory(pki._directory);
        await pki.AuthorityAsync("ca", "kube-syslog test CA");
        await pki.AuthorityAsync("untrusted-ca", "someone else's CA");
        pki.Server = await pki.IssueAsync("server", "syslog receiver", [$"DNS:{ServerName}", "IP:127.0.0.1"], "ca", days: 2);
        return pki;
    }

    /// <summary>
    /// A client pair named <paramref name="dnsNames"/> (SAN DNS; with none, only the CN <paramref name="file"/>).
    /// </summary>
    public Task<Pair> ClientAsync(string file, params string[] dnsNames) =>
        IssueAsync(file, dnsNames.FirstOrDefault() ?? file, [.. dnsNames.Select(n => "DNS:" + n)], "ca", days: 2);

    /// <summary>A client pair whose validity ended before it began (openssl -days -1): expired now.</summary>
    public Task<Pair> ExpiredClientAsync(string file, string dnsName) => IssueAsync(file, dnsName, ["DNS:" + dnsName], "ca", days: -1);

    /// <summary>A good-looking client pair from the CA nobody trusts.</summary>
    public Task<Pair> UntrustedClientAsync(string file, string dnsName) => IssueAsync(file, dnsName, ["DNS:" + dnsName], "untrusted-ca", days: 2);

    /// <summary>The certificate's SHA-256 fingerprint as openssl prints it (<c>AA:BB:…</c>, upper case).</summary>
    public async Task<string> FingerprintAsync(string certificate)
    {
        string output = await RunAsync(["x509", "-in", certificate, "-noout", "-fingerprint", "-sha256"]);
        return output[(output.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
    }

    private async Task AuthorityAsync(string file, string name) =>
        await RunAsync(
        [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", Path.Combine(_directory, file + ".key"), "-out", Path.Combine(_directory, file + ".crt"),
            "-days", "2", "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ]);

    private async Task<Pair> IssueAsync(string file, string commonName, string[] subjectAltNames, string issuer, int days)
    {
        string key = Path.Combine(_directory, file + ".key");
        string request = Path.Combine(_directory, file + ".csr");
        string certificate = Path.Combine(_directory, file + ".crt");
        string extensions = Path.Combine(_directory, file + ".ext");
        await RunAsync(
        [
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", request, "-subj", "/CN=" + commonName,
        ]);
        var lines = new List<string>
        {
            "basicConstraints=CA:FALSE",
            "keyUsage=critical,digitalSignature",
            "extendedKeyUsage=serverAuth,clientAuth",
        };
        if (subjectAltNames.Length > 0)
        {
            lines.Add("subjectAltName=" + string.Join(",", subjectAltNames));
        }

        await File.WriteAllLinesAsync(extensions, lines);
        await RunAsync(
        [
            "x509", "-req", "-in", request, "-CA", Path.Combine(_directory, issuer + ".crt"),
            "-CAkey", Path.Combine(_directory, issuer + ".key"), "-set_serial", "0x" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..16],
            "-days", days.ToString(CultureInfo.InvariantCulture), "-extfile", extensions, "-out", certificate,
        ]);
        return new Pair(certificate, key);
    }

    private async Task<string> RunAsync(string[] arguments)
    {
        var result = await ProcessRunner.RunAsync(_openssl, arguments, TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
        {
            throw new XunitException($"openssl {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.StandardError}");
        }

        return result.StandardOutput;
    }

    /// <summary>A certificate and its unencrypted private key, as PEM file paths.</summary>
    public sealed record Pair(string Certificate, string Key);
}
