using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Forwarder.Tailing;

/// <summary>
/// Loads and saves <c>checkpoints.json</c> in the state directory. A save never leaves a half-written file: it writes
/// a temporary file, fsyncs it, renames it over the old one and fsyncs the directory, so after a crash or power loss
/// the file holds either the previous checkpoints or the new ones.
/// </summary>
internal sealed class CheckpointStore
{
    public const string FileName = "checkpoints.json";

    private readonly string _directory;
    private readonly string _path;
    private readonly string _temporary;
    private readonly ILogger _logger;

    public CheckpointStore(string directory, ILogger logger)
    {
        _directory = Path.GetFullPath(directory);
        _path = Path.Combine(_directory, FileName);
        _temporary = _path + ".tmp";
        _logger = logger;
    }

    public string FilePath => _path;

    /// <summary>
    /// Creates the directory and checks that it is writable: a Forwarder that cannot save offsets must not start.
    /// </summary>
    public void EnsureWritable()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(_temporary, []);
        File.Delete(_temporary);
    }

    /// <summary>
    /// The saved checkpoints; null when none were ever saved (the very first start). A corrupt file is logged and
    /// treated as empty.
    /// </summary>
    public IReadOnlyList<Checkpoint>? Load()
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(_path), CheckpointJsonContext.Default.CheckpointFile);
            if (file is { Version: CheckpointFile.CurrentVersion, Files: not null })
            {
                return file.Files;
            }

            TailingLog.CheckpointsUnreadable(_logger, _path, "unknown version", null);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            TailingLog.CheckpointsUnreadable(_logger, _path, e.Message, e);
        }

        // Not null: files found now are not "existing at the very first start" (StartAt=end must not skip them).
        return [];
    }

    public void Save(IReadOnlyList<Checkpoint> checkpoints)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(
            new CheckpointFile(CheckpointFile.CurrentVersion, checkpoints),
            CheckpointJsonContext.Default.CheckpointFile);
        using (var stream = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(_temporary, _path, overwrite: true);
        FsyncDirectory();
    }

    // The rename is durable only once the directory entry is on disk.
    private void FsyncDirectory()
    {
        try
        {
            using SafeFileHandle dir = File.OpenHandle(_directory, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse to open or sync a directory; the data file itself was synced.
        }
    }
}
