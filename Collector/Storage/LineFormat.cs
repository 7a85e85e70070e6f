namespace Collector.Storage;

/// <summary>How a message becomes one line of the messages file.</summary>
public enum LineFormat
{
    /// <summary>
    /// rsyslog's <c>RSYSLOG_FileFormat</c> (<c>TIMESTAMP HOSTNAME TAG: MSG</c>, RFC 3339 time) with what that template
    /// drops kept between TAG and MSG: <c>FACILITY.SEVERITY MSGID STRUCTURED-DATA</c>, so the Kubernetes identity and
    /// every searchable field is on the line.
    /// </summary>
    File,

    /// <summary>rsyslog's <c>RSYSLOG_TraditionalFileFormat</c>: <c>Mmm dd hh:mm:ss HOSTNAME TAG: MSG</c>.</summary>
    Traditional,

    /// <summary>The message as received, without its framing.</summary>
    Rfc5424,
}
