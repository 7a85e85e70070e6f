using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Collector.Ingest.Tls;

/// <summary>
/// The TLS listeners' certificate and key from PEM files, read again every reload interval. Contents are compared,
/// not times: cert-manager's Secret volume swaps a <c>..data</c> symlink, which leaves the files' own mtimes
/// meaningless, and a few KiB read every 10 s cost nothing. A new pair serves connections that start after the swap;
/// open connections keep the pair they shook hands with. A pair that does not load, does not match or is not valid
/// now is refused with one Error line per distinct content, and the previous one stays.
/// </summary>
public sealed class TlsServerCertificate : IDisposable
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TlsCounters _counters;
    private TimeProvider _time;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private ITimer? _timer;
    private Loaded _current;
    private byte[]? _refused;
    private int _checking;

    private TlsServerCertificate(string certificatePath, string keyPath, Loaded loaded, TimeProvider time, TlsCounters counters)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _current = loaded;
        _time = time;
        _counters = counters;
        counters.CertificateNotAfter = new DateTimeOffset(loaded.Leaf.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
    }

    /// <summary>The pair a new connection gets.</summary>
    public SslStreamCertificateContext Current => Volatile.Read(ref _current).Context;

    public X509Certificate2 Leaf => Volatile.Read(ref _current).Leaf;

    /// <summary>Loads the pair at start; null with the reason when it cannot serve.</summary>
    public static TlsServerCertificate? TryLoad(string certificatePath, string keyPath, TimeProvider time, TlsCounters counters, out string? error)
    {
        var loaded = TryLoad(certificatePath, keyPath, time, out error);
        return loaded is null ? null : new TlsServerCertificate(certificatePath, keyPath, loaded, time, counters);
    }

    /// <summary>
    /// Logs the pair in use and starts checking the files every <paramref name="interval"/> (once the host runs, with
    /// its clock and logger).
    /// </summary>
    public void Watch(TimeSpan interval, TimeProvider time, ILogger logger)
    {
        if (_timer is not null)
        {
            return;
        }

        _time = time;
        _logger = logger;
        TlsLog.CertificateLoaded(logger, _certificatePath, Leaf.Subject, Leaf.NotAfter.ToUniversalTime());
        _timer = time.CreateTimer(_ => Check(), null, interval, interval);
    }

    /// <summary>Reads both files; swaps in the pair when it changed and loads, logs a refusal once when not.</summary>
    public void Check()
    {
        if (Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }

        try
        {
            byte[] contents;
            try
            {
                contents = [.. File.ReadAllBytes(_certificatePath), 0, .. File.ReadAllBytes(_keyPath)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Mid-swap a file may be missing for an instant; a lasting problem shows as a refusal below next time.
                contents = System.Text.Encoding.UTF8.GetBytes(ex.Message);
            }

            var current = Volatile.Read(ref _current);
            if (contents.AsSpan().SequenceEqual(current.Contents) || (_refused is not null && contents.AsSpan().SequenceEqual(_refused)))
            {
                return;
            }

            var loaded = TryLoad(_certificatePath, _keyPath, _time, out string? error);
            if (loaded is null)
            {
                _refused = contents;
                _counters.ReloadFailed();
                TlsLog.ReloadRefused(_logger, _certificatePath, _keyPath, error!, current.Leaf.Subject, current.Leaf.NotAfter.ToUniversalTime());
                return;
            }

            _refused = null;
            Volatile.Write(ref _current, loaded);
            _counters.Reloaded();
            _counters.CertificateNotAfter = new DateTimeOffset(loaded.Leaf.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
            TlsLog.CertificateLoaded(_logger, _certificatePath, loaded.Leaf.Subject, loaded.Leaf.NotAfter.ToUniversalTime());
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private static Loaded? TryLoad(string certificatePath, string keyPath, TimeProvider time, out string? error)
    {
        try
        {
            byte[] certificateBytes = File.ReadAllBytes(certificatePath);
            byte[] keyBytes = File.ReadAllBytes(keyPath);
            string certificateText = System.Text.Encoding.ASCII.GetString(certificateBytes);
            string keyText = System.Text.Encoding.ASCII.GetString(keyBytes);

            // The first certificate is ours (it must match the key); any after it are intermediates sent along.
            var leaf = X509Certificate2.CreateFromPem(certificateText, keyText);
            var all = new X509Certificate2Collection();
            all.ImportFromPem(certificateText);
            var now = time.GetUtcNow().UtcDateTime;
            if (now < leaf.NotBefore.ToUniversalTime() || now > leaf.NotAfter.ToUniversalTime())
            {
                error = $"certificate {leaf.Subject} is not valid now (valid {leaf.NotBefore.ToUniversalTime():u} to " +
                    $"{leaf.NotAfter.ToUniversalTime():u})";
                return null;
            }

            var intermediates = new X509Certificate2Collection();
            foreach (var certificate in all.Skip(1))
            {
                intermediates.Add(certificate);
            }

            var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
            error = null;
            return new Loaded(context, leaf, [.. certificateBytes, 0, .. keyBytes]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            error = ex.Message;
            return null;
        }
    }

    private sealed record Loaded(SslStreamCertificateContext Context, X509Certificate2 Leaf, byte[] Contents);
}
