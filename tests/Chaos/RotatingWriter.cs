using System.Diagnostics;
using System.Globalization;
using TestSupport;

namespace Chaos;

/// <summary>
/// Appends numbered lines to container logs at a steady total rate, round robin, and rotates each log as its runtime
/// does when it passes the rotation size: CRI logs as kubelet (<c>0.log</c> → <c>0.log.&lt;time&gt;</c>), docker
/// logs as json-file (<c>-json.log</c> → <c>.1</c>, the older ones shifted to <c>.2</c>, <c>.3</c> …). Rotated files
/// are kept, so every line written stays readable and whatever goes missing was lost by the pipeline.
/// </summary>
public sealed class RotatingWriter(IReadOnlyList<ContainerLog> logs, int linesPerSecond, long rotateBytes) : IAsyncDisposable
{
    private readonly long[] _written = new long[logs.Count];
    private readonly long[] _generationBytes = new long[logs.Count];
    private readonly Stopwatch _clock = new();
    private int _rotations;
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;

    /// <summary>
    /// Lines written so far to each log: log f holds numbers 0 … Written[f]-1 (over all its generations).
    /// </summary>
    public IReadOnlyList<long> Written => [.. Enumerable.Range(0, _written.Length).Select(f => Interlocked.Read(ref _written[f]))];

    public long Total => Written.Sum();

    public int Rotations => Volatile.Read(ref _rotations);

    /// <summary>How long it has been writing (up to its stop).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    public void Start()
    {
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _clock.Start();

        // Its own thread: the thread pool is busy with the HTTP polls and process output, and a late tick only
        // writes a bigger batch, but a starved one would lower the rate.
        _loop = Task.Factory.StartNew(() => Run(token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public async Task StopAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync();
            await _loop;
            _clock.Stop();
            _stop.Dispose();
            _stop = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Run(CancellationToken token)
    {
        long done = 0;
        var batches = new List<string>[logs.Count];
        for (int f = 0; f < batches.Length; f++)
        {
            batches[f] = [];
        }

        while (!token.IsCancellationRequested)
        {
            long due = (long)(_clock.Elapsed.TotalSeconds * linesPerSecond);
            for (; done < due; done++)
            {
                int f = (int)(done % logs.Count);
                batches[f].Add(ChaosLine.Text(f, _written[f] + batches[f].Count));
            }

            for (int f = 0; f < logs.Count; f++)
            {
                if (batches[f].Count > 0)
                {
                    Append(f, batches[f]);
                    batches[f].Clear();
                }
            }

            token.WaitHandle.WaitOne(5);
        }
    }

    private void Append(int f, List<string> lines)
    {
        var log = logs[f];
        long before = new FileInfo(log.RealPath).Length;
        log.AppendMany(lines);
        Interlocked.Add(ref _written[f], lines.Count);
        _generationBytes[f] += new FileInfo(log.RealPath).Length - before;
        if (_generationBytes[f] >= rotateBytes)
        {
            Rotate(f);
            _generationBytes[f] = 0;
            Interlocked.Increment(ref _rotations);
        }
    }

    private void Rotate(int f)
    {
        var log = logs[f];
        if (log.Format == RuntimeFormat.Cri)
        {
            // kubelet's suffix is a time stamp; a counter keeps two rotations within one second apart.
            log.RotateLikeKubelet(string.Create(CultureInfo.InvariantCulture, $"{_rotations:D6}"));
            return;
        }

        log.RotateLikeDocker();
    }
}
