using Forwarder.Tailing;
using TestSupport;

namespace Forwarder.Tests.Tailing;

public sealed class FileLocatorTests
{
    [Fact]
    public void AFileStillAtItsPathIsFoundThere()
    {
        using var dir = TempDirectory.Create();
        string path = dir.Combine("0.log");
        File.WriteAllText(path, "x");

        Assert.Equal(path, FileLocator.Locate(path, KeyOf(path)));
    }

    [Fact]
    public void AFileRenamedInItsDirectoryIsFoundByItsNewName()
    {
        using var dir = TempDirectory.Create();
        string path = dir.Combine("0.log");
        File.WriteAllText(path, "x");
        var key = KeyOf(path);

        // kubelet's rotation: renamed, and a new file (another inode) at the old name.
        File.Move(path, path + ".20261206-030000");
        File.WriteAllText(path, "y");

        Assert.Equal(path + ".20261206-030000", FileLocator.Locate(path, key));
    }

    [Fact]
    public void ADeletedFileIsNotFound()
    {
        using var dir = TempDirectory.Create();
        string path = dir.Combine("0.log");
        File.WriteAllText(path, "x");
        var key = KeyOf(path);
        File.WriteAllText(dir.Combine("1.log"), "other");
        File.Delete(path);

        Assert.Null(FileLocator.Locate(path, key));
    }

    [Fact]
    public void AFileWhoseDirectoryIsGoneIsNotFound()
    {
        using var dir = TempDirectory.Create();
        string pod = dir.Combine("ns_pod_uid", "main");
        Directory.CreateDirectory(pod);
        string path = Path.Combine(pod, "0.log");
        File.WriteAllText(path, "x");
        var key = KeyOf(path);
        Directory.Delete(dir.Combine("ns_pod_uid"), recursive: true);

        Assert.Null(FileLocator.Locate(path, key));
    }

    private static FileKey KeyOf(string path)
    {
        Assert.True(FileStatus.TryGet(path, out var status, out _));
        return new FileKey(status.Device, status.Inode);
    }
}
