using System.Runtime.InteropServices;

namespace Collector.Tests.Relay;

/// <summary>
/// A directory laid out the way kubelet mounts a ConfigMap: the data in a timestamped directory, <c>..data</c> a
/// symlink to it, and each key a symlink <c>key → ..data/key</c>. <see cref="Update"/> swaps <c>..data</c> atomically
/// (a new directory, a temporary link renamed over the old one), as kubelet's AtomicWriter does.
/// </summary>
public sealed partial class ConfigMapVolume(string path)
{
    private int _generation;

    public string Path => path;

    public void Update(IReadOnlyDictionary<string, string> data)
    {
        Directory.CreateDirectory(path);
        string version = $"..2026_11_23_00_00_00.{++_generation}";
        string versionPath = System.IO.Path.Combine(path, version);
        Directory.CreateDirectory(versionPath);
        foreach (var (key, value) in data)
        {
            File.WriteAllText(System.IO.Path.Combine(versionPath, key), value);
        }

        string dataLink = System.IO.Path.Combine(path, "..data");
        string temp = System.IO.Path.Combine(path, "..data_tmp");
        File.CreateSymbolicLink(temp, version);
        // rename(2) replaces the old link in one step; File.Move refuses a link that points at a directory.
        if (Rename(temp, dataLink) != 0)
        {
            throw new IOException($"rename {temp} -> {dataLink} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        foreach (var key in data.Keys)
        {
            string link = System.IO.Path.Combine(path, key);
            if (!File.Exists(link) && !Directory.Exists(link))
            {
                File.CreateSymbolicLink(link, System.IO.Path.Combine("..data", key));
            }
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(path))
        {
            string name = System.IO.Path.GetFileName(entry);
            if (!name.StartsWith('.') && !data.ContainsKey(name))
            {
                File.Delete(entry);
            }
            else if (name.StartsWith("..2026", StringComparison.Ordinal) && name != version)
            {
                Directory.Delete(entry, recursive: true);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
}
