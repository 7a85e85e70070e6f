using System.Text.Json;

namespace TestSupport;

/// <summary>
/// What a Forwarder's <c>checkpoints.json</c> holds, read as any JSON: its size, its entries, and how many of them are
/// of files still being tailed (no <c>doneAt</c>). Zero everywhere while the file does not exist yet.
/// </summary>
public readonly record struct CheckpointSummary(long Bytes, int Entries, int Tailed)
{
    public static CheckpointSummary Read(string stateDirectory)
    {
        string path = Path.Combine(stateDirectory, "checkpoints.json");
        byte[] json;
        try
        {
            json = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return default;
        }

        // The Forwarder replaces the file by a rename, so a read never sees half of it.
        using var document = JsonDocument.Parse(json);
        int entries = 0, tailed = 0;
        foreach (var file in document.RootElement.GetProperty("files").EnumerateArray())
        {
            entries++;
            if (!file.TryGetProperty("doneAt", out var doneAt) || doneAt.ValueKind == JsonValueKind.Null)
            {
                tailed++;
            }
        }

        return new CheckpointSummary(json.Length, entries, tailed);
    }
}
