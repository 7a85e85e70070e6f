using System.Text;

namespace Benchmarks;

/// <summary>
/// The message the issue sizes targets on: ~250 bytes of RFC 5424 from a container, with one SD element of five
/// Kubernetes params (32473 is the private enterprise number RFC 5612 reserves for documentation).
/// </summary>
internal static class TypicalMessage
{
    public const string HostName = "node-1.example.internal";
    public const string AppName = "nginx";
    public const string ProcId = "-";
    public const string SdId = "k8s@32473";
    public const string Namespace = "default";
    public const string Pod = "web-7d9c8b6f5-x2x4z";
    public const string Container = "nginx";
    public const string ContainerId = "3f2a9c1e5b7d";
    public const string Node = "node-1";

    public static readonly DateTimeOffset Time = new(2026, 11, 22, 4, 45, 59, TimeSpan.Zero);

    public static readonly byte[] Body = Encoding.UTF8.GetBytes("10.0.0.7 - - \"GET /index.html HTTP/1.1\" 200 612 \"-\" \"curl/8.5.0\" rt=0.001");

    public static readonly byte[] Frame = Encoding.UTF8.GetBytes(
        $"<134>1 2026-11-22T04:45:59.303510Z {HostName} {AppName} {ProcId} - [{SdId} namespace=\"{Namespace}\" pod=\"{Pod}\" " +
        $"container=\"{Container}\" container_id=\"{ContainerId}\" node=\"{Node}\"] " + Encoding.UTF8.GetString(Body));
}
