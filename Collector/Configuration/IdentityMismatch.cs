namespace Collector.Configuration;

/// <summary>
/// What <c>--identity-from-cert</c> does with a message whose HOSTNAME is not the node its client certificate names.
/// </summary>
public enum IdentityMismatch
{
    /// <summary>Store it, marked <c>[kube-syslog@32473 spoofed="true" peer="…"]</c>.</summary>
    Mark,

    /// <summary>Do not store it: RELP answers <c>500</c>, TCP drops it; either way counted per peer.</summary>
    Reject,
}
