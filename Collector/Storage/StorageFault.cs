namespace Collector.Storage;

/// <summary>
/// Why the writer cannot write, since when, and how often it tried: for /readyz, /metrics and the log.
/// </summary>
public sealed record StorageFault(string Reason, bool NoSpace, DateTimeOffset Since, long Attempts)
{
    // errno values .NET puts in IOException.HResult on Linux: ENOSPC (no space left) and EDQUOT (quota exceeded).
    private const int Enospc = 28;
    private const int Edquot = 122;

    /// <summary>
    /// The write failed for lack of space on the volume (or quota), not for a bad file or permissions.
    /// </summary>
    public static bool IsNoSpace(Exception exception) => exception is IOException { HResult: Enospc or Edquot };

    public static StorageFault Of(Exception exception, DateTimeOffset now, StorageFault? previous) =>
        new(exception.Message, IsNoSpace(exception), previous?.Since ?? now, (previous?.Attempts ?? 0) + 1);
}
