using System.Globalization;

namespace TestSupport;

/// <summary>
/// Short-lived pods on a <see cref="NodeLogTree"/>, the way a node running CronJobs or crash-looping replicas sees
/// them: each round creates <c>pods</c> new pods (new pod directory, new <c>/var/log/containers</c> link), writes
/// lines, rotates every file as kubelet does (<c>0.log</c> → <c>0.log.&lt;time&gt;</c>, new <c>0.log</c>), writes more,
/// and finally deletes the pods as kubelet does (link and pod directory removed). Or, for pods that stay and whose
/// containers restart, <see cref="RestartContainers"/>. Every line is unique, so a receiver can check that each arrived
/// exactly once and in order per pod.
/// </summary>
public sealed class PodChurn(NodeLogTree tree, int pods, int linesPerFile)
{
    private readonly List<ContainerLog> _live = [];

    // Every container log a live pod still has on disk, oldest first (kubelet keeps the last dead container's).
    private readonly Dictionary<string, List<ContainerLog>> _containers = new(StringComparer.Ordinal);

    public const string Namespace = "churn";

    public int Round { get; private set; }

    /// <summary>Files created so far (each pod has two per round: the rotated one and the live one).</summary>
    public long FilesCreated { get; private set; }

    /// <summary>Every line written, per pod, in the order written.</summary>
    public Dictionary<string, List<string>> Written { get; } = new(StringComparer.Ordinal);

    public int LinesWritten => Written.Values.Sum(l => l.Count);

    /// <summary>
    /// The files a glob can still reach: each live pod's current container log and, after a restart, the dead one's
    /// kubelet keeps (with its link). A Forwarder tails these and has closed all others (rotated, deleted).
    /// </summary>
    public int LiveFiles => _containers.Values.Sum(c => c.Count);

    /// <summary>Starts a round: new pods, each with its first file of lines.</summary>
    public void CreatePods()
    {
        Round++;
        for (int p = 0; p < pods; p++)
        {
            string pod = string.Create(CultureInfo.InvariantCulture, $"job-r{Round}-{p}");
            var log = tree.AddContainer(Namespace, pod, "main", RuntimeFormat.Cri);
            _live.Add(log);
            _containers[pod] = [log];
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

    /// <summary>
    /// A round of container restarts in the pods already there: each gets a new container, whose log is kubelet's next
    /// <c>&lt;restart&gt;.log</c> in the same directory with a new <c>/var/log/containers</c> link for the new
    /// container id, and its first file of lines. kubelet keeps only the last dead container's log: the one before it
    /// is deleted with its link and rotated files.
    /// </summary>
    public void RestartContainers()
    {
        Round++;
        for (int i = 0; i < _live.Count; i++)
        {
            var previous = _live[i];
            string directory = Path.GetDirectoryName(previous.PodLogPath)!;
            string podLog = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{Round}.log"));
            string id = Convert.ToHexStringLower(
                System.Security.Cryptography.SHA256.HashData(
                    System.Text.Encoding.UTF8.GetBytes(
                        $"{previous.Namespace}/{previous.Pod}/{previous.Container}/{Round}")));
            string link = Path.Combine(tree.ContainersDirectory, $"{previous.Pod}_{previous.Namespace}_{previous.Container}-{id}.log");
            NodeLogTree.CreateEmpty(podLog);
            File.CreateSymbolicLink(link, podLog);
            var log = new ContainerLog(
                previous.Namespace,
                previous.Pod,
                previous.Container,
                id,
                previous.Uid,
                RuntimeFormat.Cri,
                link,
                podLog,
                podLog);
            _live[i] = log;
            var containers = _containers[log.Pod];
            containers.Add(log);
            if (containers.Count > 2)
            {
                DeleteContainerLog(containers[0]);
                containers.RemoveAt(0);
            }

            FilesCreated++;
            Append(log, 0);
        }
    }

    /// <summary>The pods end: kubelet removes the links and the pod directory with its log files.</summary>
    public void DeletePods()
    {
        foreach (var log in _live)
        {
            foreach (var container in _containers[log.Pod])
            {
                File.Delete(container.LinkPath);
            }

            _containers.Remove(log.Pod);
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(log.PodLogPath))!, recursive: true);
        }

        _live.Clear();
    }

    /// <summary>
    /// Null when every written line arrived exactly once and in order per pod, with nothing else; otherwise what
    /// differs.
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
                problems.Add($"pod {pod}: expected {lines.Count} lines [{string.Join(", ", lines.Take(3))} …], got " +
                    $"{got.Count} [{string.Join(", ", got.Take(12))}]");
            }
        }

        return problems.Count == 0 ? null : $"{problems.Count} problems; first ones:\n" + string.Join('\n', problems.Take(5));
    }

    private static void DeleteContainerLog(ContainerLog log)
    {
        File.Delete(log.LinkPath);
        File.Delete(log.PodLogPath);
        foreach (string rotated in Directory.EnumerateFiles(Path.GetDirectoryName(log.PodLogPath)!, Path.GetFileName(log.PodLogPath) + ".*"))
        {
            File.Delete(rotated);
        }
    }

    private void Append(ContainerLog log, int first)
    {
        var lines = Enumerable
            .Range(first, linesPerFile)
            .Select(n => string.Create(CultureInfo.InvariantCulture, $"{log.Pod} r{Round} line {n}"))
            .ToList();
        log.AppendMany(lines);
        Written[log.Pod].AddRange(lines);
    }
}
