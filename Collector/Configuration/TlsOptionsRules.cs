using Collector.Ingest.Tls;

namespace Collector.Configuration;

/// <summary>
/// The cross-field rules of the TLS settings, checked at start so a listener never runs with checks weaker than the
/// operator asked for: a mode that needs a CA or permitted peers without them, patterns a mode would ignore,
/// <c>--identity-from-cert</c> without client certificates. Files are read later, by the listeners' setup.
/// </summary>
public static class TlsOptionsRules
{
    public static void Check(CollectorOptions o, List<string> errors)
    {
        string s = CollectorOptions.Section;
        var mode = o.ClientAuthInEffect();
        if (o.AnyTls() && (o.TlsCert is null || o.TlsKey is null))
        {
            errors.Add($"{s}:TlsCert and {s}:TlsKey must both be set when {s}:Tls or {s}:RelpTls is " +
                $"(was '{o.TlsCert ?? ""}' and '{o.TlsKey ?? ""}')");
        }

        if (o.Https is not null && (o.HttpsCert is null || o.HttpsKey is null))
        {
            errors.Add($"{s}:HttpsCert and {s}:HttpsKey must both be set when {s}:Https is " +
                $"(was '{o.HttpsCert ?? ""}' and '{o.HttpsKey ?? ""}')");
        }

        if (o.Https is null && (o.HttpsCert is not null || o.HttpsKey is not null))
        {
            errors.Add($"{s}:HttpsCert and {s}:HttpsKey are only used by {s}:Https, which is not set");
        }

        if (mode is TlsClientAuth.CertValid or TlsClientAuth.Name && o.TlsClientCa is null)
        {
            errors.Add($"{s}:TlsClientCa must be set for {s}:TlsClientAuth {Word(mode)} (the CA client certificates chain to)");
        }

        if (mode is TlsClientAuth.Name or TlsClientAuth.Fingerprint && o.TlsPermittedPeer.Count == 0)
        {
            errors.Add($"{s}:TlsPermittedPeer must list at least one " +
                $"{(mode == TlsClientAuth.Name ? "name pattern" : "SHA-256 fingerprint")} for {s}:TlsClientAuth {Word(mode)}");
        }

        if (mode is TlsClientAuth.None or TlsClientAuth.CertValid && o.TlsPermittedPeer.Count > 0)
        {
            errors.Add($"{s}:TlsPermittedPeer is only used by {s}:TlsClientAuth name or fingerprint, was given with " +
                $"{Word(mode)}: '{string.Join(",", o.TlsPermittedPeer)}'");
        }

        for (int i = 0; i < o.TlsPermittedPeer.Count; i++)
        {
            string peer = o.TlsPermittedPeer[i];
            string? why = mode switch
            {
                TlsClientAuth.Name => PeerNamePattern.Check(peer),
                TlsClientAuth.Fingerprint => CertificateFingerprint.TryParse(peer, out _, out string? w) ? null : w,
                _ => null,
            };
            if (why is not null)
            {
                errors.Add($"{s}:TlsPermittedPeer:{i} {why}, was '{peer}'");
            }
        }

        if (o.IdentityFromCert && mode == TlsClientAuth.None)
        {
            errors.Add($"{s}:IdentityFromCert needs client certificates: set {s}:TlsClientAuth (certvalid, name or " +
                $"fingerprint) and {s}:TlsClientCa");
        }

        if (o.IdentityFromCert && !o.AnyTls())
        {
            errors.Add($"{s}:IdentityFromCert needs a TLS listener ({s}:Tls or {s}:RelpTls)");
        }
    }

    public static string Word(TlsClientAuth mode) => mode.ToString().ToLowerInvariant();
}
