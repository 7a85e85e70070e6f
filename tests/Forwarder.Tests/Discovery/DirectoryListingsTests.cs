using Forwarder.Discovery;
using Forwarder.Tailing;
using Microsoft.Extensions.Time.Testing;
using TestSupport;

namespace Forwarder.Tests.Discovery;

/// <summary>
/// A directory's entries are reused across scans only while its ctime has not moved and its last change was long
/// enough before the listing that a later change cannot share its clock tick; every create, delete and rename is seen
/// by the next scan.
/// </summary>
public sealed class DirectoryListingsTests
{
    [Fact]
    public void AnUnchangedSettledDirectoryIsReadOnceAndReadAgainOnceAnEntryIsAdded()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("a.log"), "");
        var clock = SettledClock(dir.Path);
        var listings = new DirectoryListings(clock);
        int reads = 0;

        Assert.Equal([dir.Combine("a.log")], Paths(Get(listings, dir.Path, () => reads++)));
        Assert.Equal([dir.Combine("a.log")], Paths(Get(listings, dir.Path, () => reads++)));
        Assert.Equal(1, reads);

        AfterTheLastChangesTick(dir.Path);
        File.WriteAllText(dir.Combine("b.log"), "");
        Assert.Equal([dir.Combine("a.log"), dir.Combine("b.log")], Paths(Get(listings, dir.Path, () => reads++)));
        Assert.Equal(2, reads);
    }

    [Fact]
    public void ADirectoryChangedWithinTheLastTwoSecondsIsReadAtEveryScan()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("a.log"), "");
        Assert.True(FileStatus.TryGetChangeTime(dir.Path, out long changed));
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds((changed / 1_000_000) + 1_000));
        var listings = new DirectoryListings(clock);
        int reads = 0;

        for (int scan = 0; scan < 3; scan++)
        {
            Assert.Single(Get(listings, dir.Path, () => reads++));
        }

        Assert.Equal(3, reads);
    }

    [Fact]
    public void ADeletedOrRenamedEntryIsGoneAtTheNextScan()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("a.log"), "");
        File.WriteAllText(dir.Combine("b.log"), "");
        var listings = new DirectoryListings(SettledClock(dir.Path));
        int reads = 0;
        Assert.Equal(2, Get(listings, dir.Path, () => reads++).Count);

        AfterTheLastChangesTick(dir.Path);
        File.Delete(dir.Combine("a.log"));
        Assert.Equal([dir.Combine("b.log")], Paths(Get(listings, dir.Path, () => reads++)));
        AfterTheLastChangesTick(dir.Path);
        File.Move(dir.Combine("b.log"), dir.Combine("b.log.1"));
        Assert.Equal([dir.Combine("b.log.1")], Paths(Get(listings, dir.Path, () => reads++)));
        Assert.Equal(3, reads);
    }

    [Fact]
    public void ADirectoryNotUsedByAScanIsForgotten()
    {
        using var dir = TempDirectory.Create();
        var listings = new DirectoryListings(SettledClock(dir.Path));
        int reads = 0;
        Get(listings, dir.Path, () => reads++);
        listings.EndScan();
        Get(listings, dir.Path, () => reads++);
        Assert.Equal(2, reads);
    }

    [Fact]
    public void AFailedReadPassesThroughAndIsNotRemembered()
    {
        using var dir = TempDirectory.Create();
        var listings = new DirectoryListings(SettledClock(dir.Path));
        Assert.Throws<UnauthorizedAccessException>(() => listings.Get(dir.Path, _ => throw new UnauthorizedAccessException("denied")));
        int reads = 0;
        Get(listings, dir.Path, () => reads++);
        Assert.Equal(1, reads);
    }

    // The fake clock says every listing is settled, which on the real clock it is not: a change in the same coarse
    // clock tick as the last one would leave ctime as it was. Real directories are only reused two seconds after their
    // last change; here the test waits for the real clock to pass the last change's tick before changing again.
    private static void AfterTheLastChangesTick(string directory)
    {
        Assert.True(FileStatus.TryGetChangeTime(directory, out long changed));
        Assert.True(
            SpinWait.SpinUntil(() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - (changed / 1_000_000) > 50, 5_000),
            "the real clock did not pass the directory's last change");
    }

    // A clock three seconds past the directory's last change: its listing may be kept.
    private static FakeTimeProvider SettledClock(string directory)
    {
        Assert.True(FileStatus.TryGetChangeTime(directory, out long changed));
        return new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds((changed / 1_000_000) + 3_000));
    }

    // One scan's look at the directory: read with the scanner's reader, counting the reads.
    private static List<FileScanner.DirectoryEntry> Get(DirectoryListings listings, string directory, Action counted)
    {
        var entries = listings.Get(directory, d =>
        {
            counted();
            return FileScanner.ReadDirectory(d);
        });
        listings.EndScan();
        return entries;
    }

    private static List<string> Paths(List<FileScanner.DirectoryEntry> entries) => [.. entries.Select(e => e.Path).Order(StringComparer.Ordinal)];
}
