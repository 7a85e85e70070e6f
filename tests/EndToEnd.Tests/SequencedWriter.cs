using System.Diagnostics;
using System.Globalization;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>
/// Appends numbered lines (<c>seq FF-NNNNNNNN …</c>, numbered per file) to container logs at a steady rate, round
/// robin, from a background task; can be stopped and started again, numbering on.
/// </summary>
public sealed class SequencedWriter(ContainerLog[] logs, int linesPerSecond) : IAsyncDisposable
{
    private readonly long[] _written = new long[logs.Length];
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;

    /// <summary>Lines written so far to each file: file f holds numbers 0 … Written[f]-1.</summary>
    public IReadOnlyList<long> Written => [.. Enumerable.Range(0, _written.Length).Select(f => Interlocked.Read(ref _written[f]))];

    public long Total => Written.Sum();

    public static string Text(int file, long n) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"seq {file:D2}-{n:D8} GET /api/v1/orders?page={n % 97} 200 12ms \"ok\" ü");

    /// <summary>The file and number of a line written by <see cref="Text"/>, or null for any other line.</summary>
    public static (int File, long N)? Parse(string text)
    {
        if (!text.StartsWith("seq ", StringComparison.Ordinal) || text.Length < 15 || text[6] != '-')
        {
            return null;
        }

        return (int.Parse(text.AsSpan(4, 2), CultureInfo.InvariantCulture), long.Parse(text.AsSpan(7, 8), CultureInfo.InvariantCulture));
    }

    public void Start()
    {
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _loop = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            long done = 0;
            while (!token.IsCancellationRequested)
            {
                long due = (long)(clock.Elapsed.TotalSeconds * linesPerSecond);
                var batches = new List<string>[logs.Length];
                for (; done < due; done++)
                {
                    int f = (int)(done % logs.Length);
                    (batches[f] ??= []).Add(Text(f, _written[f] + batches[f].Count));
                }

                for (int f = 0; f < logs.Length; f++)
                {
                    if (batches[f] is { } batch)
                    {
                        logs[f].AppendMany(batch);
                        Interlocked.Add(ref _written[f], batch.Count);
                    }
                }

                await Task.Delay(10, CancellationToken.None);
            }
        });
    }

    public async Task StopAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
            _stop = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
