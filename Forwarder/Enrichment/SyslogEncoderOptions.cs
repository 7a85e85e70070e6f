using Shared.Syslog;

namespace Forwarder.Enrichment;

/// <summary>What every message a node forwards has in common.</summary>
public sealed class SyslogEncoderOptions
{
    /// <summary>HOSTNAME: the node name.</summary>
    public string HostName { get; init; } = "";

    /// <summary>SD-ID of the pod element; 32473 is the documentation enterprise number of RFC 5612.</summary>
    public string StructuredDataId { get; init; } = "k8s@32473";

    public Facility Facility { get; init; } = Facility.User;

    /// <summary>Severity of stdout, and of lines that name no stream.</summary>
    public Severity StdoutSeverity { get; init; } = Severity.Informational;

    public Severity StderrSeverity { get; init; } = Severity.Error;
}
