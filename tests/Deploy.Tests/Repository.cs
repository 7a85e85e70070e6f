namespace Deploy.Tests;

/// <summary>
/// Paths in the repository this test assembly was built from (found by walking up to kube-syslog.slnx).
/// </summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string File(string relativePath) => Path.Combine(Root, relativePath);

    public static string ReadText(string relativePath) => System.IO.File.ReadAllText(File(relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "kube-syslog.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"kube-syslog.slnx not found above {AppContext.BaseDirectory}");
    }
}
