using System.Globalization;

namespace TestSupport;

/// <summary>
/// Short-lived pods on a <see cref="NodeLogTree"/>, the way a node running CronJobs or crash-looping replicas sees them:
/// each round creates <c>pods</c> new pods (new pod directory, new <c>/var/log/containers</c> link), writes lines,
/// rotates every file as kubelet does (<c>0.log</c> → <c>0.log.&lt;time&gt;</c>, new <c>0.log</c>), writes more, and
/// finally deletes the pods as kubelet does (link and pod directory removed). Every line is unique, so a receiver
/// can check that each arrived exactly once and in order per pod.
/// </summary>
public sealed class PodChurn(NodeLogTree tree, int pods, int linesPerFile)
{
    private readonly List<ContainerLog> _live = [];

    public const string Namespace = "churn";

    public int Round { get; private set; }

    /// <summary>Files created so far (each pod has two per round: the rotated one and the live one).</summary>
    public long FilesCreated { get; private set; }

    /// <summary>Every line written, per pod, in the order written.</summary>
    public Dictionary<string, List<string>> Written { get; } = new(StringComparer.Ordinal);

    public int LinesWritten => Written.Values.Sum(l => l.Count);

    /// <summary>Starts a round: new pods, each with its first file of lines.</summary>
    public void CreatePods()
    {
        Round++;
        for (int p = 0; p < pods; p++)
        {
            string pod = string.Create(CultureInfo.InvariantCulture, $"job-r{Round}-{p}");
            var log = tree.AddContainer(Namespace, pod, "main", RuntimeFormat.Cri);
            _live.Add(log);
            Written[pod] = [];
            FilesCreated++;
            Append(log, 0);
        }
    }

    /// <summary>kubelet's rotation of every live file, then the second file of lines.</summary>
    public void RotateAndWrite()
    {
        string stamp = string.Create(CultureInfo.InvariantCulture, $"2026120{Round % 10}-0000{Round % 10}0");
        foreach (var log in _live)
        {
            log.RotateLikeKubelet(stamp);
            FilesCreated++;
            Append(log, linesPerFile);
        }
    }

    /// <summary>The pods end: kubelet removes the link and the pod's directory with its log files.</summary>
    public void DeletePods()
    {
        foreach (var log in _live)
        {
            File.Delete(log.LinkPath);
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(log.PodLogPath))!, recursive: true);
        }

        _live.Clear();
    }

    /// <summary>
    /// Null when every written line arrived exactly once and in order per pod, with nothing else; otherwise what differs.
    /// </summary>
    public string? Compare(IEnumerable<ReceivedMessage> received)
    {
        var arrived = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var message in received)
        {
            if (message.Pod is not { } pod || !Written.ContainsKey(pod))
            {
                problems.Add($"unexpected message from pod '{message.Pod}': {message.Text}");
                continue;
            }

            (arrived.TryGetValue(pod, out var lines) ? lines : arrived[pod] = []).Add(message.Text);
        }

        foreach (var (pod, lines) in Written)
        {
            var got = arrived.GetValueOrDefault(pod) ?? [];
            if (!got.SequenceEqual(lines))
            {
                problems.Add($"pod {pod}: expected {lines.Count} lines [{string.Join(", ", lines.Take(3))} …], got {got.Count} [{string.Join(", ", got.Take(12))}]");
            }
        }

        return problems.Count == 0 ? null : $"{problems.Count} problems; first ones:\n" + string.Join('\n', problems.Take(5));
    }

    private void Append(ContainerLog log, int first)
    {
        var lines = Enumerable.Range(first, linesPerFile).Select(n => string.Create(CultureInfo.InvariantCulture, $"{log.Pod} line {n}")).ToList();
        log.AppendMany(lines);
        Written[log.Pod].AddRange(lines);
    }
}
