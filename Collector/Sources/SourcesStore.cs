using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Collector.Sources;

/// <summary>
/// Loads and saves <c>sources.json</c>. A save writes a temporary file, fsyncs it, renames it over the old one and
/// fsyncs the directory (as the Forwarder's checkpoints): after a crash the file is the previous state or the new one.
/// </summary>
internal sealed class SourcesStore(string directory, ILogger logger)
{
    public const string FileName = "sources.json";

    private readonly string _path = Path.Combine(directory, FileName);

    public string FilePath => _path;

    /// <summary>
    /// Null when nothing was saved, or when the file is unreadable (logged; the ledger starts empty).
    /// </summary>
    public SourcesFile? Load()
    {
        if (!File.Exists(_path))
        {
            return null;
        }

        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(_path), SourcesJsonContext.Default.SourcesFile);
            if (file is { Version: SourcesFile.CurrentVersion, Sources: not null })
            {
                return file;
            }

            SourcesLog.Unreadable(logger, _path, "unknown version", null);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            SourcesLog.Unreadable(logger, _path, e.Message, e);
        }

        return null;
    }

    public void Save(SourcesFile file)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(file, SourcesJsonContext.Default.SourcesFile);
        string temporary = _path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
        try
        {
            using SafeFileHandle dir = File.OpenHandle(directory, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Some file systems refuse to open or sync a directory; the data file itself was synced.
        }
    }
}
