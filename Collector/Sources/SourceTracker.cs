using Collector.Configuration;
using Collector.Storage;
using Microsoft.Win32.SafeHandles;

namespace Collector.Sources;

/// <summary>
/// Keeps the <see cref="SourceLedger"/> in step with the messages file by reading back what the writer appended (the
/// file is the truth: a line queued but never written is never counted), and saves it with the position read to in
/// <c>sources.json</c> every few seconds, after each rotation and at shutdown. At start-up, before any listener
/// accepts, it loads that, reads the lines written after the saved position (in the current file, or in
/// <c>messages.1</c> and then the current file when a rotation came in between) and seeds the ingest's marks.
/// Registered before the writer, so it starts before it and stops after it has drained.
/// </summary>
public sealed partial class SourceTracker : IHostedLifecycleService, IDisposable
{
    private const int ReadSize = 1 << 20;
    private static readonly TimeSpan ScanInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);

    private readonly CollectorOptions _options;
    private readonly SourceLedger _ledger;
    private readonly SourceMarks _marks;
    private readonly WrittenLines _written;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SourcesStore _store;
    private readonly MessagesFiles _files;
    private readonly string _path;
    private readonly byte[] _buffer = new byte[ReadSize];
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _enabled;
    private SafeFileHandle? _file;
    private long _offset;
    private string? _head;
    private int _generation;
    private long _lastSave;
    private bool _dirty;
    private bool _failing;
    private Task _loop = Task.CompletedTask;

    public SourceTracker(
        CollectorOptions options,
        SourceLedger ledger,
        SourceMarks marks,
        WrittenLines written,
        TimeProvider time,
        ILogger<SourceTracker> logger)
    {
        _options = options;
        _ledger = ledger;
        _marks = marks;
        _written = written;
        _time = time;
        _logger = logger;
        _files = MessagesFiles.For(options);
        _path = _files.Current;
        _store = new SourcesStore(Path.GetDirectoryName(_path)!, logger);
        _enabled = options.Format != LineFormat.Traditional;
    }

    /// <summary>How long a source nobody sent for is remembered (memory and <c>sources.json</c>).</summary>
    public static TimeSpan Retention { get; } = TimeSpan.FromDays(3);

    /// <summary>
    /// At most this many sources are remembered; beyond, those stored longest ago are forgotten first.
    /// </summary>
    public const int MaxSources = 50_000;

    public string StatePath => _store.FilePath;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            SourcesLog.NotPersisted(_logger, _options.Format);
            return Task.CompletedTask;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);

        // Created here if missing (the writer appends to it): a file to follow from its first line.
        File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose();
        try
        {
            Rebuild();
            Save();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The Collector still starts: without marks, re-sent lines may be stored twice, never lost.
            SourcesLog.Failed(_logger, _store.FilePath, e);
        }

        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// After the writer drained (registered before it, so stopped after it): reads the rest and saves.
    /// </summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        try
        {
            Scan();
            Save();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SourcesLog.Failed(_logger, _store.FilePath, e);
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ScanInterval, _time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                Scan();
                if (_dirty && _time.GetElapsedTime(_lastSave) >= SaveInterval)
                {
                    Save();
                }

                _failing = false;
            }
            catch (Exception e)
            {
                // Logged once until it works again; the file stays the truth, so nothing is lost by waiting. Not
                // rethrown: a failure here must not stop ingest.
                if (!_failing)
                {
                    _failing = true;
                    SourcesLog.Failed(_logger, _store.FilePath, e);
                }
            }
        }
    }

    /// <summary>
    /// Reads what was appended since the last look; follows the writer to a new file after a rotation.
    /// </summary>
    private void Scan()
    {
        // The file the writer is on is read only up to where its last write returned: a write that fails half-way (a
        // full disk) leaves lines in the file until the writer cuts them off, and lines read there would count as
        // stored, so that their re-sends were dropped as duplicates. Read the position first: a file the writer left
        // before it is complete once the generation changed.
        var (generation, end) = _written.Position;
        _file ??= OpenCurrent();
        if (generation == _generation)
        {
            ReadToEnd(end);
            return;
        }

        // Bounded too: the handle may still be the writer's file (reopened by SIGHUP or a retry after a failed write).
        ReadToEnd(end);
        _generation = generation;
        string? head = HeadOf(_path, out long length);
        if (head is not null && head == _head && length >= _offset)
        {
            return;
        }

        // Rotated, or replaced from outside: the old file is done (the rest of it is read), files rotated since it are
        // read whole (several rotations can come between two looks when files are small), and the new one is read from
        // its top.
        ReadToEnd();
        ReadMissedRotations();
        _file?.Dispose();
        _file = OpenCurrent();
        _offset = 0;
        _head = null;
        ReadToEnd(end);
        Save();
    }

    private SafeFileHandle? OpenCurrent() =>
        File.Exists(_path) ? File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null;

    /// <summary>Applies the whole lines from the offset up to <paramref name="limit"/>; returns bytes read.</summary>
    private long ReadToEnd(long limit = long.MaxValue)
    {
        if (_file is null)
        {
            return 0;
        }

        if (RandomAccess.GetLength(_file) < _offset)
        {
            // Truncated from outside (copytruncate): what was read is gone; go on from the new end.
            _offset = RandomAccess.GetLength(_file);
        }

        long start = _offset;
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            int want = (int)Math.Min(_buffer.Length, limit - _offset);
            if (want <= 0)
            {
                break;
            }

            int n = RandomAccess.Read(_file, _buffer.AsSpan(0, want), _offset);
            int complete = _buffer.AsSpan(0, n).LastIndexOf((byte)'\n') + 1;
            if (complete == 0)
            {
                if (n == _buffer.Length)
                {
                    // One line longer than the buffer: it cannot carry an origin we would read (the SD is near its
                    // start).
                    _offset += SkipLongLine();
                    continue;
                }

                break;
            }

            if (_offset == 0)
            {
                _head = Head(_buffer.AsSpan(0, complete));
            }

            _ledger.ApplyLines(_buffer.AsSpan(0, complete), now);
            _dirty = true;

            _offset += complete;
        }

        return _offset - start;
    }

    private long SkipLongLine()
    {
        long at = _offset;
        while (true)
        {
            int n = RandomAccess.Read(_file!, _buffer, at);
            if (n == 0)
            {
                return 0;
            }

            int newline = _buffer.AsSpan(0, n).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return at + newline + 1 - _offset;
            }

            at += n;
        }
    }

    /// <summary>
    /// A file's identity: the hash of its first line (at most 256 bytes); null while it has no complete line.
    /// </summary>
    private static string? Head(ReadOnlySpan<byte> start)
    {
        int newline = start[..Math.Min(start.Length, 256)].IndexOf((byte)'\n');
        var head = newline >= 0 ? start[..(newline + 1)] : start.Length >= 256 ? start[..256] : default;
        if (head.IsEmpty)
        {
            return null;
        }

        ulong hash = 14695981039346656037UL;
        foreach (byte b in head)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return Origin.FormatId(hash);
    }

    private static string? HeadOf(string path, out long length)
    {
        length = 0;
        if (!File.Exists(path))
        {
            return null;
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        length = RandomAccess.GetLength(file);
        Span<byte> start = stackalloc byte[256];
        int n = RandomAccess.Read(file, start, 0);
        return Head(start[..n]);
    }
}
