using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Forwarder.Tailing;

namespace Benchmarks;

/// <summary>
/// Writing <c>checkpoints.json</c> for 1,200 files (300 restarting pods: each one's live and last dead container's log
/// and their rotated generations), to <see cref="Stream.Null"/> so that the disk does not count: <see cref="Whole"/>
/// serializes the document at once, as the save did before (its buffers rented from <c>ArrayPool&lt;byte&gt;.Shared</c>
/// do not show as allocations once the pool holds them, which is the problem: it keeps them); <see cref="Streamed"/> is
/// <see cref="CheckpointStore.Write"/>, one checkpoint at a time, flushed every 16 KiB.
/// </summary>
[MemoryDiagnoser]
public class CheckpointSaveBenchmarks
{
    private readonly Checkpoint[] _checkpoints = Enumerable.Range(0, 1200)
        .Select(i => new Checkpoint(
            2049,
            (ulong)i,
            256,
            (ulong)i * 0x9E3779B97F4A7C15,
            i * 1000L,
            $"/var/log/containers/job-{i}_churn_main-{i:x64}.log",
            $"/var/log/pods/churn_job-{i}_{Guid.Empty}/main/{i % 7}.log",
            DoneAt: i % 2 == 0 ? 1_790_000_000 : null,
            Since: 1_790_000_000_000,
            Source: $"{i:x16}"))
        .ToArray();

    [Benchmark(Baseline = true)]
    public int Whole()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(
            new CheckpointFile(CheckpointFile.CurrentVersion, _checkpoints),
            CheckpointJsonContext.Default.CheckpointFile);
        Stream.Null.Write(json);
        return json.Length;
    }

    [Benchmark]
    public int Streamed()
    {
        CheckpointStore.Write(Stream.Null, _checkpoints);
        return _checkpoints.Length;
    }
}
