using System.Reflection;

namespace EndToEnd.Tests;

/// <summary>
/// The built product dlls, run as <c>dotnet X.dll</c>: this project builds them through its project references.
/// </summary>
public static class Binaries
{
    public static string ForwarderDll => Dll("Forwarder");

    public static string CollectorDll => Dll("Collector");

    /// <summary>The RELP load generator (tests/RelpLoad, docs/relp.md "Load generator").</summary>
    public static string RelpLoadDll => Dll(Path.Combine("tests", "RelpLoad"), "RelpLoad");

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

    /// <summary>
    /// The configuration this test assembly was built with (the SDK stamps $(Configuration) into it).
    /// </summary>
    public static string Configuration =>
        typeof(Binaries).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
        ?? throw new InvalidOperationException("the test assembly carries no AssemblyConfigurationAttribute");

    private static string Dll(string project) => Dll(project, project);

    private static string Dll(string directory, string project)
    {
        // The project references build the product with the same configuration and target framework as this
        // assembly, so a Debug test run gets the Debug product it just built, not a stale Release one.
        string framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        string path = Path.Combine(RepositoryRoot(), directory, "bin", Configuration, framework, $"{project}.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build with `dotnet build tests/EndToEnd.Tests -c {Configuration}` first.", path);
    }
}
