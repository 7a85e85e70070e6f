using Collector.Configuration;

namespace Collector.Storage;

/// <summary>
/// The messages file and the rotated ones beside it: <c>messages</c>, <c>messages.1</c> (plain, as logrotate's
/// delaycompress leaves it), <c>messages.2.gz</c> … <c>messages.N.gz</c>. The only code that spells their names: the
/// writer's rotation, the index, the tail's seam and the download all ask here.
/// </summary>
public sealed class MessagesFiles(string path, int maxFiles)
{
    public static MessagesFiles For(CollectorOptions options) => new(Path.GetFullPath(options.File), options.MaxFiles);

    /// <summary>The file being written.</summary>
    public string Current => path;

    public int MaxFiles => maxFiles;

    /// <summary>Where the current file goes when it rotates (<c>messages.1</c>).</summary>
    public string Previous => NameOf(1, compressed: false);

    /// <summary>
    /// The hidden directory of the search indexes (<c>.messages.index/</c>), for the index and the free-space keeper.
    /// </summary>
    public string IndexDirectory => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, $".{System.IO.Path.GetFileName(path)}.index");

    /// <summary>The name file <paramref name="index"/> (1 … N) has when compressed, or would have.</summary>
    public string NameOf(int index, bool compressed) => compressed ? $"{path}.{index}.gz" : $"{path}.{index}";

    /// <summary>
    /// Every name a file may have, newest first: the current file, then <c>.1</c>, <c>.1.gz</c>, <c>.2</c>,
    /// <c>.2.gz</c> …, up to <see cref="MaxFiles"/> and beyond while such files exist (left by a larger setting).
    /// Names are produced as they are walked: rotation only moves files to higher numbers, so looking upwards can see
    /// one twice but never miss one.
    /// </summary>
    public IEnumerable<(string Path, bool Compressed)> NewestFirst()
    {
        yield return (path, false);
        for (int i = 1; i <= Math.Max(maxFiles, 1) || File.Exists(NameOf(i, false)) || File.Exists(NameOf(i, true)); i++)
        {
            yield return (NameOf(i, false), false);
            yield return (NameOf(i, true), true);
        }
    }

    /// <summary>The rotated files that exist now, oldest first; never the current file.</summary>
    public List<(string Path, bool Compressed)> RotatedOldestFirst()
    {
        var rotated = NewestFirst().Skip(1).Distinct().Where(f => File.Exists(f.Path)).ToList();
        rotated.Reverse();
        return rotated;
    }
}
