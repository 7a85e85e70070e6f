using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TestSupport;

/// <summary>
/// A node's log layout in a temp directory, as kubelet and the runtimes make it:
/// <c>var/log/containers/&lt;pod&gt;_&lt;ns&gt;_&lt;container&gt;-&lt;id&gt;.log</c> →
/// <c>var/log/pods/&lt;ns&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/0.log</c>, which for docker links on to
/// <c>var/lib/docker/containers/&lt;id&gt;/&lt;id&gt;-json.log</c> and for CRI is the file itself.
/// </summary>
public sealed class NodeLogTree
{
    public NodeLogTree(TempDirectory directory)
    {
        Root = directory.Combine("node");
        Directory.CreateDirectory(ContainersDirectory);
    }

    public string Root { get; }

    public string ContainersDirectory => Path.Combine(Root, "var", "log", "containers");

    /// <summary>The Forwarder's default include, under this root.</summary>
    public string ContainersGlob => Path.Combine(ContainersDirectory, "*.log");

    public ContainerLog AddContainer(string ns, string pod, string container, RuntimeFormat format)
    {
        string id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}/{pod}/{container}")));
        string uid = Guid.NewGuid().ToString();
        string podDirectory = Path.Combine(Root, "var", "log", "pods", $"{ns}_{pod}_{uid}", container);
        Directory.CreateDirectory(podDirectory);
        string podLog = Path.Combine(podDirectory, "0.log");
        string real = podLog;
        if (format == RuntimeFormat.Docker)
        {
            string dockerDirectory = Path.Combine(Root, "var", "lib", "docker", "containers", id);
            Directory.CreateDirectory(dockerDirectory);
            real = Path.Combine(dockerDirectory, $"{id}-json.log");
            CreateEmpty(real);
            File.CreateSymbolicLink(podLog, real);
        }
        else
        {
            CreateEmpty(real);
        }

        string link = Path.Combine(ContainersDirectory, $"{pod}_{ns}_{container}-{id}.log");
        File.CreateSymbolicLink(link, podLog);
        return new ContainerLog(ns, pod, container, id, uid, format, link, podLog, real);
    }

    /// <summary>
    /// Creates an empty file as a runtime does, without File.Create's exclusive advisory lock: .NET takes one for
    /// FileShare.None, and a Forwarder that opened the new file a moment earlier (inotify is that fast) would make it
    /// fail.
    /// </summary>
    internal static void CreateEmpty(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose();
}

public enum RuntimeFormat
{
    Docker,
    Cri,
}

/// <summary>One container's log file, written the way its runtime writes it.</summary>
public sealed class ContainerLog(
    string ns,
    string pod,
    string container,
    string id,
    string uid,
    RuntimeFormat format,
    string link,
    string podLog,
    string real)
{
    /// <summary>docker json-file and CRI both split a line into 16 KiB pieces.</summary>
    public const int RuntimeSplit = 16 * 1024;

    private static readonly DateTime Epoch = new(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc);
    private long _sequence;

    public string Namespace { get; } = ns;

    public string Pod { get; } = pod;

    public string Container { get; } = container;

    public string Id { get; } = id;

    public string Uid { get; } = uid;

    public RuntimeFormat Format { get; } = format;

    public string LinkPath { get; } = link;

    public string PodLogPath { get; } = podLog;

    /// <summary>The file the runtime writes (docker's own file, or the pod log for CRI).</summary>
    public string RealPath { get; } = real;

    /// <summary>
    /// The runtime's time stamp of the n-th line: 1 µs apart, with nanosecond digits as runtimes write them.
    /// </summary>
    public static string TimeOf(long n) => Epoch.AddTicks(n * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);

    /// <summary>The same time as RFC 5424 carries it: six fraction digits.</summary>
    public static string SyslogTimeOf(long n) => Epoch.AddTicks(n * 10).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Appends one log line (split as the runtime would) and returns its sequence number.</summary>
    public long Append(string message, bool stderr = false)
    {
        long n = _sequence++;
        File.AppendAllText(RealPath, Render(message, n, stderr), new UTF8Encoding(false));
        return n;
    }

    /// <summary>Appends many lines in one write.</summary>
    public void AppendMany(IEnumerable<string> messages, bool stderr = false)
    {
        var text = new StringBuilder();
        foreach (string message in messages)
        {
            text.Append(Render(message, _sequence++, stderr));
        }

        File.AppendAllText(RealPath, text.ToString(), new UTF8Encoding(false));
    }

    public string Render(string message, long n, bool stderr)
    {
        string stream = stderr ? "stderr" : "stdout";
        string time = TimeOf(n);
        var text = new StringBuilder();
        var pieces = Split(message);
        for (int i = 0; i < pieces.Count; i++)
        {
            bool last = i == pieces.Count - 1;
            if (Format == RuntimeFormat.Docker)
            {
                text.Append("{\"log\":").Append(JsonString(pieces[i] + (last ? "\n" : string.Empty)))
                    .Append(",\"stream\":\"").Append(stream).Append("\",\"time\":\"").Append(time).Append("\"}\n");
            }
            else
            {
                text.Append(time).Append(' ').Append(stream).Append(last ? " F " : " P ").Append(pieces[i]).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// kubelet's rotation: the file is renamed to <c>0.log.&lt;timestamp&gt;</c> and a new one is created.
    /// </summary>
    public string RotateLikeKubelet(string stamp)
    {
        string rotated = RealPath + "." + stamp;
        File.Move(RealPath, rotated);
        NodeLogTree.CreateEmpty(RealPath);
        return rotated;
    }

    /// <summary>
    /// docker json-file's rotation: every rotated generation moves one up (<c>.1</c> to <c>.2</c> …), the file is
    /// renamed to <c>.1</c> and a new one is created. Nothing is deleted (as with a large <c>max-file</c>).
    /// </summary>
    public void RotateLikeDocker()
    {
        int generations = 0;
        while (File.Exists($"{RealPath}.{generations + 1}"))
        {
            generations++;
        }

        for (int g = generations; g >= 1; g--)
        {
            File.Move($"{RealPath}.{g}", $"{RealPath}.{g + 1}");
        }

        File.Move(RealPath, RealPath + ".1");

        // As a runtime creates it: no exclusive lock, so a Forwarder that opens it at once does not fail.
        new FileStream(RealPath, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose();
    }

    /// <summary>logrotate's copytruncate: the content is copied away and the file itself cut to zero.</summary>
    public void CopyTruncate()
    {
        File.Copy(RealPath, RealPath + ".1", overwrite: true);
        using var stream = new FileStream(RealPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.SetLength(0);
    }

    private static List<string> Split(string message)
    {
        // Split by UTF-8 bytes at character boundaries, as the runtimes cut their 16 KiB buffers.
        var pieces = new List<string>();
        int start = 0, bytes = 0;
        for (int i = 0; i < message.Length; i++)
        {
            int size = char.IsHighSurrogate(message[i]) ? 4 : Encoding.UTF8.GetByteCount(message.AsSpan(i, 1));
            if (bytes + size > RuntimeSplit)
            {
                pieces.Add(message[start..i]);
                start = i;
                bytes = 0;
            }

            bytes += size;
            if (char.IsHighSurrogate(message[i]))
            {
                i++;
            }
        }

        pieces.Add(message[start..]);
        return pieces;
    }

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value, JsonContext.Default.String);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonContext : System.Text.Json.Serialization.JsonSerializerContext;
