namespace Collector.Tests.Search.Conformance;

/// <summary>The checkout the tests run from: the directory above the test binaries holding kube-syslog.slnx.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "kube-syslog.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"kube-syslog.slnx not found above {AppContext.BaseDirectory}");
    }
}
