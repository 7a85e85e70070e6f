using System.Buffers;
using System.Text;
using Shared.Syslog;

namespace TestSupport;

/// <summary>A message as a target received it, parsed back with Shared's RFC 5424 parser.</summary>
public sealed record ReceivedMessage(SyslogMessage Syslog)
{
    public string Text => Syslog.MessageText;

    public string? Param(string sdId, string name) =>
        Syslog.StructuredData.FirstOrDefault(e => e.Id == sdId)?[name];

    public string? Namespace => Param("k8s@32473", "namespace");

    public string? Pod => Param("k8s@32473", "pod");

    public string? Container => Param("k8s@32473", "container");

    public static ReceivedMessage Parse(byte[] frame)
    {
        var status = Rfc5424Parser.TryParse(frame, out var header, out var error);
        if (status != OperationStatus.Done)
        {
            throw new InvalidDataException($"not RFC 5424 ({error}): {Encoding.UTF8.GetString(frame)}");
        }

        return new ReceivedMessage(SyslogMessage.Create(frame, header));
    }
}
