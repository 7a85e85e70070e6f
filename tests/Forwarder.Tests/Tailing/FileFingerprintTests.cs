using Forwarder.Tailing;
using TestSupport;

namespace Forwarder.Tests.Tailing;

public sealed class FileFingerprintTests
{
    [Fact]
    public void AGrowingFileStillMatchesTheFingerprintOfItsShorterSelf()
    {
        using var dir = TempDirectory.Create();
        string path = dir.Combine("0.log");
        File.WriteAllText(path, "first line\n");
        FileFingerprint early;
        using (var handle = File.OpenHandle(path))
        {
            early = FileFingerprint.Read(handle);
        }

        File.AppendAllText(path, new string('x', 1000) + "\n");
        using var grown = File.OpenHandle(path);
        Assert.Equal(11, early.Length);
        Assert.False(early.IsComplete);
        Assert.True(early.Matches(grown));
        Assert.True(FileFingerprint.Read(grown).IsComplete);
    }

    [Fact]
    public void AFileWithOtherFirstBytesDoesNotMatch()
    {
        using var dir = TempDirectory.Create();
        string path = dir.Combine("0.log");
        File.WriteAllText(path, "2026-01-01T00:00:00Z stdout F one\n");
        FileFingerprint before;
        using (var handle = File.OpenHandle(path))
        {
            before = FileFingerprint.Read(handle);
        }

        File.WriteAllText(path, "2026-01-01T00:00:01Z stdout F two\n");
        using var after = File.OpenHandle(path);
        Assert.False(before.Matches(after));
    }

    [Fact]
    public void AFileShorterThanTheFingerprintDoesNotMatch()
    {
        using var dir = TempDirectory.Create();
        string path = dir.Combine("0.log");
        File.WriteAllText(path, "a long enough first line\n");
        FileFingerprint before;
        using (var handle = File.OpenHandle(path))
        {
            before = FileFingerprint.Read(handle);
        }

        File.WriteAllText(path, "short");
        using var after = File.OpenHandle(path);
        Assert.False(before.Matches(after));
    }
}
