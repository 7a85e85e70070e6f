using YamlDotNet.RepresentationModel;

namespace Deploy.Tests;

/// <summary>
/// Reads YAML files (every document of a stream) and walks them by key, as the manifests are written.
/// </summary>
internal static class Yaml
{
    public static IReadOnlyList<YamlMappingNode> LoadDocuments(string path) => Parse(File.ReadAllText(path), path);

    public static IReadOnlyList<YamlMappingNode> Parse(string text, string source)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(text))
        {
            stream.Load(reader);
        }

        return stream.Documents
            .Select(d => d.RootNode as YamlMappingNode ?? throw new InvalidDataException($"{source}: a document is not a mapping"))
            .ToList();
    }

    /// <summary>The node at <paramref name="keys"/>, or null when any step is missing.</summary>
    public static YamlNode? At(this YamlNode? node, params string[] keys)
    {
        foreach (string key in keys)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The scalar at <paramref name="keys"/>, or null.</summary>
    public static string? Text(this YamlNode? node, params string[] keys) => (node.At(keys) as YamlScalarNode)?.Value;

    /// <summary>The scalar at <paramref name="keys"/>; fails naming the path when it is missing.</summary>
    public static string Required(this YamlNode? node, params string[] keys) =>
        node.Text(keys) ?? throw new Xunit.Sdk.XunitException($"missing {string.Join('.', keys)}");

    /// <summary>The items of the sequence at <paramref name="keys"/> (none when missing).</summary>
    public static IEnumerable<YamlNode> Items(this YamlNode? node, params string[] keys) =>
        node.At(keys) is YamlSequenceNode sequence ? sequence.Children : [];

    /// <summary>The scalar entries of the mapping at <paramref name="keys"/> (none when missing).</summary>
    public static IReadOnlyDictionary<string, string> Scalars(this YamlNode? node, params string[] keys) =>
        node.At(keys) is YamlMappingNode map
            ? map.Children
                .Where(c => c.Value is YamlScalarNode)
                .ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? string.Empty)
            : new Dictionary<string, string>();
}
