using TestSupport;

namespace Deploy.Tests.Benchmarks;

/// <summary>
/// A fact that builds tests/Benchmarks/tls/connect-client.c: needs <c>cc</c>, OpenSSL's headers (libssl-dev) and the
/// <c>openssl</c> command for the test PKI. Skipped with the reason when one is missing, failed under
/// <c>REQUIRE_PEERS=1</c>, as <see cref="PeerFactAttribute"/>.
/// </summary>
public sealed class ConnectClientFactAttribute : FactAttribute
{
    private const string Header = "/usr/include/openssl/ssl.h";

    public ConnectClientFactAttribute() =>
        Skip = Peers.SkipReason("cc", "openssl")
            ?? (Peers.Required || File.Exists(Header) ? null : $"needs {Header} (libssl-dev; .ci/run installs it)");
}
