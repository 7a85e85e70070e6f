namespace Deploy.Tests.Kubernetes;

/// <summary>
/// A kustomize <c>configMapGenerator</c> env file: <c>KEY=VALUE</c> per line, the value as is to the end of the line;
/// blank lines and lines starting with <c>#</c> are skipped. (KustomizeTests checks kubectl reads it the same way.)
/// </summary>
internal static class EnvFile
{
    public static IReadOnlyDictionary<string, string> Load(string path)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line[..equals].Trim() != line[..equals])
            {
                throw new Xunit.Sdk.XunitException($"{path}:{number}: not KEY=VALUE: {line}");
            }

            if (!entries.TryAdd(line[..equals], line[(equals + 1)..]))
            {
                throw new Xunit.Sdk.XunitException($"{path}:{number}: {line[..equals]} is set twice");
            }
        }

        return entries;
    }
}
