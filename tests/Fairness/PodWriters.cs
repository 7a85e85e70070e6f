using System.Diagnostics;
using System.Text;
using TestSupport;

namespace Fairness;

/// <summary>
/// The two pods: a quiet one writing one line per interval (each write's Stopwatch timestamp noted just before the
/// write(2)) and a noisy one whose whole backlog is written as fast as the disk takes it. CRI format, as containerd
/// writes it; every message carries its pod's marker and sequence number so the Collector's file can be matched.
/// </summary>
internal sealed class PodWriters(ContainerLog quiet, ContainerLog noisy, int lineBytes)
{
    private readonly List<long> _quietWrites = [];
    private readonly object _gate = new();

    /// <summary>Write timestamps, by sequence number.</summary>
    public List<long> QuietWrites()
    {
        lock (_gate)
        {
            return [.. _quietWrites];
        }
    }

    public async Task WriteQuietAsync(TimeSpan interval, CancellationToken stop)
    {
        await using var file = new FileStream(
            quiet.RealPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        using var timer = new PeriodicTimer(interval);
        int sequence = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                byte[] line = Line(ArrivalWatcher.QuietMarker, sequence, 7);
                lock (_gate)
                {
                    _quietWrites.Add(Stopwatch.GetTimestamp());
                }

                file.Write(line);
                sequence++;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    /// <summary>Writes the backlog; returns its size in bytes.</summary>
    public long WriteBacklog(int lines)
    {
        using var file = new FileStream(
            noisy.RealPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1024 * 1024);
        long bytes = 0;
        for (int i = 0; i < lines; i++)
        {
            byte[] line = Line(ArrivalWatcher.NoisyMarker, i, 8);
            file.Write(line);
            bytes += line.Length;
        }

        return bytes;
    }

    // "<time> stdout F fairness-quiet-0000012 xxxx…\n", lineBytes long in all.
    private byte[] Line(ReadOnlySpan<byte> marker, long sequence, int digits)
    {
        string head = $"{ContainerLog.TimeOf(sequence)} stdout F {Encoding.ASCII.GetString(marker)}" +
            $"{sequence.ToString(new string('0', digits), System.Globalization.CultureInfo.InvariantCulture)} ";
        var line = new byte[Math.Max(lineBytes, head.Length + 1)];
        int written = Encoding.ASCII.GetBytes(head, line);
        line.AsSpan(written, line.Length - written - 1).Fill((byte)'x');
        line[^1] = (byte)'\n';
        return line;
    }
}
