namespace EndToEnd.Tests;

/// <summary>The built product dlls, run as <c>dotnet X.dll</c>: this project builds them through its project references.</summary>
public static class Binaries
{
    public static string ForwarderDll => Dll("Forwarder");

    public static string CollectorDll => Dll("Collector");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "kube-syslog.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("kube-syslog.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string Dll(string project)
    {
        string path = Path.Combine(RepositoryRoot(), project, "bin", "Release", "net10.0", $"{project}.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build with `dotnet build tests/EndToEnd.Tests -c Release` first.", path);
    }
}
