using System.Security.Cryptography;

namespace Shared.Transport;

public static partial class SyslogSenderOptionsValidator
{
    /// <summary>
    /// Checks the TLS files by loading them exactly as the sender will, so a bad file stops startup instead of failing
    /// every handshake later: each must exist and be readable, the CA file must hold a PEM certificate, the certificate
    /// and key go together, the key must match, and the certificate must be valid now. Messages name
    /// <paramref name="keys"/>.
    /// </summary>
    public static IReadOnlyList<string> ValidateTls(SyslogTlsOptions tls, SyslogTlsKeyNames keys, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(keys);
        var errors = new List<string>();
        void Fail(string message) => errors.Add(message);

        var serverName = TlsMaterial.Given(tls.ServerName);
        if (serverName is not null && Uri.CheckHostName(serverName) == UriHostNameType.Unknown)
        {
            Fail($"{keys.ServerName} must be a DNS name or an IP address, was '{tls.ServerName}'");
        }

        var caFile = TlsMaterial.Given(tls.CaFile);
        bool caReadable = caFile is null || CheckReadable(keys.Ca, caFile, Fail);
        var certificateFile = TlsMaterial.Given(tls.CertificateFile);
        var keyFile = TlsMaterial.Given(tls.KeyFile);
        bool pairReadable = true;
        if (certificateFile is null && keyFile is not null)
        {
            Fail($"{keys.Certificate} must be set with {keys.Key} '{keyFile}'");
            pairReadable = false;
        }
        else if (certificateFile is not null && keyFile is null)
        {
            Fail($"{keys.Key} must be set with {keys.Certificate} '{certificateFile}'");
            pairReadable = false;
        }
        else if (certificateFile is not null && keyFile is not null)
        {
            pairReadable = CheckReadable(keys.Certificate, certificateFile, Fail) & CheckReadable(keys.Key, keyFile, Fail);
        }

        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        if (caReadable && caFile is not null)
        {
            Load(new SyslogTlsOptions { CaFile = caFile }, now, e => $"{keys.Ca} '{caFile}' is not a PEM certificate bundle: {e}");
        }

        if (pairReadable && certificateFile is not null)
        {
            Load(
                new SyslogTlsOptions { CertificateFile = certificateFile, KeyFile = keyFile },
                now,
                e => $"{keys.Certificate} '{certificateFile}' with {keys.Key} '{keyFile}' cannot be loaded: {e}");
        }

        return errors;

        void Load(SyslogTlsOptions files, DateTimeOffset at, Func<string, string> message)
        {
            try
            {
                TlsMaterial.Load(TlsMaterial.Read(files), files, at).Dispose();
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                // ArgumentException: the key does not match the certificate.
                Fail(message(e.Message));
            }
        }
    }

    private static void ValidateTls(SyslogTlsOptions tls, SyslogTransportProtocol protocol, Action<string> fail)
    {
        if (protocol is not (SyslogTransportProtocol.Tcp or SyslogTransportProtocol.Relp))
        {
            fail($"Tls requires Protocol Tcp or Relp, was {protocol}");
        }

        foreach (string error in ValidateTls(tls, SyslogTlsKeyNames.Options))
        {
            fail(error);
        }
    }

    private static bool CheckReadable(string key, string path, Action<string> fail)
    {
        if (!File.Exists(path))
        {
            // A Secret mounted at the path meant for one of its files is a common slip.
            fail(Directory.Exists(path) ? $"{key} '{path}' is a directory, not a file" : $"{key} '{path}' does not exist");
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            fail($"{key} '{path}' cannot be read: {e.Message}");
            return false;
        }
    }
}
