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

    // The writer's buffer stays about this size (a few dozen checkpoints) however many files are checkpointed.
    private const int FlushBytes = 16 * 1024;

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
        using (var stream = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            Write(stream, checkpoints);
            stream.Flush(flushToDisk: true);
        }

        File.Move(_temporary, _path, overwrite: true);
        FsyncDirectory();
    }

    /// <summary>
    /// The document <see cref="CheckpointFile"/> serializes to, written one checkpoint at a time and flushed to the
    /// stream every <see cref="FlushBytes"/>. Serialized whole, 1,200 checkpoints (300 restarting pods) were a 685 KB
    /// document built in buffers rented from <c>ArrayPool&lt;byte&gt;.Shared</c>, doubling up to 1 MiB, and copied into
    /// a new array per save: the pool kept those buffers long after the burst (it drops an unused array only at a gen2
    /// collection a minute or more after its last use, one at a time), so an idle Forwarder held MBs of them
    /// (docs/forwarder-resources.md).
    /// </summary>
    internal static void Write(Stream stream, IReadOnlyList<Checkpoint> checkpoints)
    {
        var naming = JsonNamingPolicy.CamelCase;
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteNumber(naming.ConvertName(nameof(CheckpointFile.Version)), CheckpointFile.CurrentVersion);
        writer.WriteStartArray(naming.ConvertName(nameof(CheckpointFile.Files)));
        foreach (var checkpoint in checkpoints)
        {
            JsonSerializer.Serialize(writer, checkpoint, CheckpointJsonContext.Default.Checkpoint);
            if (writer.BytesPending >= FlushBytes)
            {
                writer.Flush();
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
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
