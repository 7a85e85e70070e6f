using System.Buffers.Text;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Fairness;

/// <summary>
/// Follows the Collector's messages file and notes when each marked line is in it (Stopwatch timestamps, this
/// process's clock, as the writers use). Polls every millisecond or two: the file grows by megabytes
/// a second while the backlog drains, and a watch per write would cost more than a read. This is sampling, not
/// synchronisation: a line's arrival is stamped when the poll finds it.
/// </summary>
internal sealed class ArrivalWatcher : IDisposable
{
    public static ReadOnlySpan<byte> QuietMarker => "fairness-quiet-"u8;

    public static ReadOnlySpan<byte> NoisyMarker => "fairness-noisy-"u8;

    private readonly string _path;
    private readonly Task _loop;
    private readonly object _gate = new();
    private readonly List<(int Sequence, long At)> _quiet = [];
    private volatile bool _stopped;
    private long _noisyCount;
    private long _lastNoisy = -1;
    private long _lastNoisyAt;

    public ArrivalWatcher(string path)
    {
        _path = path;
        _loop = Task.Run(RunAsync);
    }

    public long NoisyCount => Interlocked.Read(ref _noisyCount);

    public long LastNoisy => Interlocked.Read(ref _lastNoisy);

    public long LastNoisyAt => Interlocked.Read(ref _lastNoisyAt);

    public List<(int Sequence, long At)> Quiet()
    {
        lock (_gate)
        {
            return [.. _quiet];
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _loop.GetAwaiter().GetResult();
    }

    private async Task RunAsync()
    {
        var buffer = new byte[4 * 1024 * 1024];
        long offset = 0;
        SafeFileHandle? handle = null;
        while (!_stopped)
        {
            if (handle is null)
            {
                if (!File.Exists(_path))
                {
                    await Task.Delay(2);
                    continue;
                }

                handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }

            int n = RandomAccess.Read(handle, buffer, offset);
            long now = Stopwatch.GetTimestamp();
            int end = n == 0 ? -1 : buffer.AsSpan(0, n).LastIndexOf((byte)'\n');
            if (end < 0)
            {
                await Task.Delay(1);
                continue;
            }

            Scan(buffer.AsSpan(0, end + 1), now);
            offset += end + 1;
        }

        handle?.Dispose();
    }

    private void Scan(ReadOnlySpan<byte> lines, long now)
    {
        var rest = lines;
        while (rest.IndexOf(QuietMarker) is int at && at >= 0)
        {
            rest = rest[(at + QuietMarker.Length)..];
            if (Utf8Parser.TryParse(rest, out int sequence, out _))
            {
                lock (_gate)
                {
                    _quiet.Add((sequence, now));
                }
            }
        }

        long count = 0;
        long last = -1;
        rest = lines;
        while (rest.IndexOf(NoisyMarker) is int at && at >= 0)
        {
            rest = rest[(at + NoisyMarker.Length)..];
            count++;
            if (Utf8Parser.TryParse(rest, out long sequence, out _))
            {
                last = sequence;
            }
        }

        if (count > 0)
        {
            Interlocked.Add(ref _noisyCount, count);
            Interlocked.Exchange(ref _lastNoisyAt, now);
            Interlocked.Exchange(ref _lastNoisy, last);
        }
    }
}
