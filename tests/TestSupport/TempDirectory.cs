using System.Runtime.CompilerServices;

namespace TestSupport;

/// <summary>A fresh directory per test, named after it, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create([CallerMemberName] string name = "test")
    {
        string path = System.IO.Path.Combine(
            System.IO.Path.GetTempPath(),
            "kube-syslog-tests",
            $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 120)]);
        Directory.CreateDirectory(path);
        return new TempDirectory(path);
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process started by the test may still hold a file; the OS temp cleaner gets it later.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above: best effort only.
        }
    }
}
