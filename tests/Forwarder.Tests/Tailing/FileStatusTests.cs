using Forwarder.Tailing;
using TestSupport;

namespace Forwarder.Tests.Tailing;

public sealed class FileStatusTests
{
    [Fact]
    public void ASymlinkAndItsTargetAreTheSameFile()
    {
        using var dir = TempDirectory.Create();
        string real = Path.Combine(dir.Path, "0.log");
        string link = Path.Combine(dir.Path, "link.log");
        File.WriteAllText(real, "hello\n");
        File.CreateSymbolicLink(link, real);

        Assert.True(FileStatus.TryGet(real, out var target, out _));
        Assert.True(FileStatus.TryGet(link, out var followed, out _));
        Assert.True(FileStatus.TryGetNoFollow(link, out var linkItself, out _));

        Assert.True(followed.IsSameFileAs(target));
        Assert.False(linkItself.IsSameFileAs(target));
        Assert.Equal(6, target.Size);
        Assert.NotEqual(0UL, target.Inode);
    }

    [Fact]
    public void AnOpenHandleStillReportsTheFileAfterItWasRenamedAndReplaced()
    {
        using var dir = TempDirectory.Create();
        string path = Path.Combine(dir.Path, "0.log");
        File.WriteAllText(path, "first\n");
        using var handle = File.OpenHandle(path);
        var before = FileStatus.Of(handle);

        File.Move(path, path + ".1");
        File.WriteAllText(path, "second file\n");

        Assert.True(FileStatus.TryGet(path, out var replaced, out _));
        Assert.True(FileStatus.Of(handle).IsSameFileAs(before));
        Assert.False(replaced.IsSameFileAs(before));
        Assert.Equal(12, replaced.Size);
    }

    [Fact]
    public void AMissingPathReportsENOENT()
    {
        using var dir = TempDirectory.Create();
        Assert.False(FileStatus.TryGet(Path.Combine(dir.Path, "missing.log"), out _, out int errno));
        Assert.Equal(2, errno);
    }
}
