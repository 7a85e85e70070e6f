using System.Security.Cryptography.X509Certificates;

namespace TestSupport;

/// <summary>
/// A Kubernetes Secret volume as the kubelet lays it out: the files live in a timestamped directory, <c>..data</c>
/// links to it, and <c>ca.crt</c>, <c>tls.crt</c>, <c>tls.key</c> link through <c>..data</c>. An update writes a new
/// directory and swaps <c>..data</c> with one rename, so a reader sees the old set or the new one, never a mix.
/// </summary>
public static class SecretVolume
{
    /// <summary>Creates the volume with the CA and the certificate with its key; returns the three paths.</summary>
    public static (string Ca, string Certificate, string Key) Mount(string directory, X509Certificate2 authority, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(directory);
        string data = WriteVersion(directory, authority, certificate);
        File.CreateSymbolicLink(Path.Combine(directory, "..data"), data);
        foreach (string name in (string[])["ca.crt", "tls.crt", "tls.key"])
        {
            File.CreateSymbolicLink(Path.Combine(directory, name), Path.Combine("..data", name));
        }

        return (Path.Combine(directory, "ca.crt"), Path.Combine(directory, "tls.crt"), Path.Combine(directory, "tls.key"));
    }

    /// <summary>
    /// Swaps in a new set, as the kubelet does after cert-manager renewed the Secret. With <paramref name="keyOf"/>
    /// that certificate's key is written instead of <paramref name="certificate"/>'s: a set that does not match.
    /// </summary>
    public static async Task UpdateAsync(
        string directory,
        X509Certificate2 authority,
        X509Certificate2 certificate,
        X509Certificate2? keyOf = null)
    {
        string data = WriteVersion(directory, authority, certificate, keyOf);
        string link = Path.Combine(directory, "..data_tmp");
        File.CreateSymbolicLink(link, data);

        // rename(2) replaces the old link atomically; File.Move follows a link to a directory and refuses it.
        var move = await ProcessRunner.RunAsync("mv", ["-T", link, Path.Combine(directory, "..data")]);
        if (move.ExitCode != 0)
        {
            throw new IOException($"mv -T {link} ..data failed: {move.StandardError}");
        }
    }

    private static string WriteVersion(string directory, X509Certificate2 authority, X509Certificate2 certificate, X509Certificate2? keyOf = null)
    {
        string name = $"..{TimeProvider.System.GetUtcNow():yyyy_MM_dd_HH_mm_ss}.{Guid.NewGuid():N}";
        string version = Path.Combine(directory, name);
        Directory.CreateDirectory(version);
        TestCertificates.WritePem(Path.Combine(version, "ca.crt"), authority);
        TestCertificates.WritePem(Path.Combine(version, "tls.crt"), certificate);
        TestCertificates.WriteKey(Path.Combine(version, "tls.key"), keyOf ?? certificate);
        return name;
    }
}
