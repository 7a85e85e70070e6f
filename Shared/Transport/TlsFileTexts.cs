namespace Shared.Transport;

/// <summary>The text of each TLS file that is set; null for one that is not.</summary>
internal readonly record struct TlsFileTexts(string? Ca, string? Certificate, string? Key);
