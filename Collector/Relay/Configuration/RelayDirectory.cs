namespace Collector.Relay.Configuration;

/// <summary>
/// The relay directory (<c>--relays</c>): one relay per file, the mount point of the <c>log-forwarders</c> ConfigMap.
/// Kubernetes mounts a ConfigMap as <c>name → ..data/name</c> symlinks and swaps <c>..data</c> atomically, so names
/// starting with a dot are never relays and every read follows symlinks. Reading is cheap (a few small files), so
/// the whole directory is read again on each scan and compared by value.
/// </summary>
public sealed class RelayDirectory(string path)
{
    /// <summary>A relay file is a few hundred bytes; anything this large is a mistake, not a relay.</summary>
    private const long MaxFileSize = 1 << 20;

    private static readonly HashSet<string> IgnoredExtensions = new(
        [
            ".swp", ".swo", ".swx", ".bak", ".orig", ".rej", ".tmp",
            ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".rpmnew", ".rpmsave",
        ],
        StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<string, RelayDefinition> _lastGood = new(StringComparer.Ordinal);

    public string Path => path;

    /// <summary>True when the directory is a mounted ConfigMap: kubelet owns it and rewrites it.</summary>
    public bool IsConfigMap => Directory.Exists(System.IO.Path.Combine(path, "..data"));

    /// <summary>
    /// Reads every relay file. A file that turns invalid keeps the relay it held before (the last good one).
    /// </summary>
    public RelaySet Scan()
    {
        var relays = new Dictionary<string, RelayDefinition>(StringComparer.Ordinal);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var invalid = new List<InvalidRelayFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in ListFiles())
        {
            seen.Add(file);
            var definition = Read(file, out var errors);
            if (definition is not null && relays.TryGetValue(definition.Name, out _))
            {
                errors = [$"metadata.name '{definition.Name}' is already used by {System.IO.Path.GetFileName(files[definition.Name])}"];
                definition = null;
            }

            if (definition is null)
            {
                invalid.Add(new InvalidRelayFile(System.IO.Path.GetFileName(file), errors));
                if (_lastGood.TryGetValue(file, out var previous) && !relays.ContainsKey(previous.Name))
                {
                    relays[previous.Name] = previous;
                    files[previous.Name] = file;
                }

                continue;
            }

            _lastGood[file] = definition;
            relays[definition.Name] = definition;
            files[definition.Name] = file;
        }

        foreach (string gone in _lastGood.Keys.Where(f => !seen.Contains(f)).ToList())
        {
            _lastGood.Remove(gone);
        }

        return new RelaySet(relays, files, invalid);
    }

    /// <summary>
    /// The file for a relay that has none yet: <c>NAME.yaml</c>, unless another relay lives in that file (a file's name
    /// need not be its relay's), then the first free <c>NAME-2.yaml</c>, <c>NAME-3.yaml</c>…, so a write never replaces
    /// another relay.
    /// </summary>
    public string NewFile(string name, IReadOnlySet<string> filesInUse)
    {
        string file = System.IO.Path.Combine(path, name + ".yaml");
        for (int n = 2; filesInUse.Contains(file); n++)
        {
            // An existing NAME-n.yaml is skipped too: it may hold a document someone is still fixing.
            string other = System.IO.Path.Combine(path, $"{name}-{n}.yaml");
            file = File.Exists(other) ? file : other;
        }

        return file;
    }

    /// <summary>
    /// Writes a relay document (already validated) into <paramref name="file"/> (see
    /// <see cref="NewFile"/>); atomically.
    /// </summary>
    /// <exception cref="RelayDirectoryReadOnlyException">
    /// The directory is a ConfigMap mount or cannot be written.
    /// </exception>
    public string Write(string name, string document, string file)
    {
        ThrowIfReadOnly();
        string temp = System.IO.Path.Combine(path, $".{name}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(path);
            File.WriteAllText(temp, document);
            File.Move(temp, file, overwrite: true);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new RelayDirectoryReadOnlyException($"the relay directory {path} cannot be written ({e.Message})", e);
        }
    }

    /// <summary>Deletes a relay's file.</summary>
    /// <exception cref="RelayDirectoryReadOnlyException">
    /// The directory is a ConfigMap mount or cannot be written.
    /// </exception>
    public void Delete(string file)
    {
        ThrowIfReadOnly();
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RelayDirectoryReadOnlyException($"the relay directory {path} cannot be written ({e.Message})", e);
        }
    }

    private void ThrowIfReadOnly()
    {
        if (IsConfigMap)
        {
            throw new RelayDirectoryReadOnlyException(
                $"the relay directory {path} is a mounted ConfigMap, the source of truth for relays: " +
                "edit the log-forwarders ConfigMap instead (kubectl edit configmap log-forwarders)");
        }
    }

    private List<string> ListFiles()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(path)
                .Where(f => IsRelayFileName(System.IO.Path.GetFileName(f)) && File.Exists(f))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Not a relay: dot-files (kubelet's <c>..data</c>, vim's <c>.a.yaml.swp</c>, our own temporary files) and what
    /// editors and tools leave next to a file they change (<c>a.yaml~</c>, <c>#a.yaml#</c>, <c>a.yaml.bak</c>). Such a
    /// copy holds the relay's old document, so reading it would keep a relay running after its file is deleted.
    /// </summary>
    public static bool IsRelayFileName(string name) =>
        !name.StartsWith('.') && !name.EndsWith('~') && !(name.StartsWith('#') && name.EndsWith('#'))
        && !IgnoredExtensions.Contains(System.IO.Path.GetExtension(name));

    private static RelayDefinition? Read(string file, out List<string> errors)
    {
        try
        {
            var info = new FileInfo(file);
            if ((info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo : info)?.Length > MaxFileSize)
            {
                errors = [$"larger than {MaxFileSize} bytes: not a relay document"];
                return null;
            }

            return RelayDocument.Parse(File.ReadAllText(file), out errors);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors = [$"cannot be read: {e.Message}"];
            return null;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover dot-file is ignored by Scan.
        }
    }
}
