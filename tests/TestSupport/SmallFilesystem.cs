using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Xunit;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A real filesystem of a few MiB (tmpfs, mounted for one test and unmounted on dispose) that a test can fill to the
/// last byte, so the Collector meets a real ENOSPC and a real statvfs. Mounting needs root (or CAP_SYS_ADMIN); a test
/// run as another user mounts with <c>sudo -n</c> (as <c>.ci/run</c> installs packages) and owns the filesystem. Where
/// neither works, tests skip with the reason, and fail under <c>REQUIRE_PEERS=1</c> as peer tests do.
/// </summary>
public sealed class SmallFilesystem : IDisposable
{
    private static readonly Lazy<string?> Unmountable = new(Probe);

    private readonly bool _ownsDirectory;

    private SmallFilesystem(string path, bool ownsDirectory)
    {
        Path = path;
        _ownsDirectory = ownsDirectory;
    }

    public string Path { get; }

    /// <summary>Why tests on a small filesystem are skipped here, or null when they run.</summary>
    public static string? SkipReason => Peers.Required ? null : Unmountable.Value;

    /// <summary>
    /// The file <see cref="FillLeaving"/> writes: another program's file, as far as the Collector knows.
    /// </summary>
    public string Filler => Combine("filler.bin");

    /// <summary>A tmpfs of <paramref name="megabytes"/> MiB on a new directory, removed on dispose.</summary>
    public static SmallFilesystem Mount(int megabytes, [CallerMemberName] string name = "test")
    {
        string unique = $"{name}-fs-{Guid.NewGuid():N}"[..Math.Min(name.Length + 12, 120)];
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kube-syslog-tests", unique);
        Directory.CreateDirectory(path);
        try
        {
            MountAt(path, megabytes);
        }
        catch
        {
            Directory.Delete(path);
            throw;
        }

        return new SmallFilesystem(path, ownsDirectory: true);
    }

    /// <summary>
    /// A tmpfs mounted on <paramref name="directory"/> (a <see cref="TempDirectory"/>: dispose this first).
    /// </summary>
    public static SmallFilesystem MountOn(TempDirectory directory, int megabytes)
    {
        MountAt(directory.Path, megabytes);
        return new SmallFilesystem(directory.Path, ownsDirectory: false);
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Bytes available on the filesystem now (statvfs f_bavail).</summary>
    public long Available => new DriveInfo(Path).AvailableFreeSpace;

    public long Size => new DriveInfo(Path).TotalSize;

    /// <summary>
    /// Grows <see cref="Filler"/> with real bytes (a sparse file takes no space)
    /// until <paramref name="leave"/> bytes are available.
    /// </summary>
    public void FillLeaving(long leave)
    {
        using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        var block = new byte[4096];
        Array.Fill(block, (byte)'x');
        while (Available > leave)
        {
            long want = Math.Min(block.Length, Available - leave);
            try
            {
                filler.Write(block, 0, (int)want);
                filler.Flush();
            }
            catch (IOException)
            {
                // Full already: someone else wrote meanwhile.
                break;
            }
        }
    }

    /// <summary>Deletes <see cref="Filler"/>: the space comes back.</summary>
    public void FreeFiller() => File.Delete(Filler);

    public void Dispose()
    {
        // Lazy: a child process that still holds a file must not keep the mount (and the test) alive.
        Privileged("umount", "-l", Path);
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void MountAt(string path, int megabytes)
    {
        // Owned by the user running the tests, so that a run without root can fill it too.
        string owner = $"uid={Run("id", "-u").Output},gid={Run("id", "-g").Output}";
        string options = $"size={megabytes.ToString(CultureInfo.InvariantCulture)}m,mode=0755,{owner}";
        var (exit, output) = Privileged("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        if (exit != 0)
        {
            throw new XunitException($"cannot mount a {megabytes} MiB tmpfs at {path} (exit {exit}): {output}; the test needs root or CAP_SYS_ADMIN");
        }
    }

    private static string? Probe()
    {
        try
        {
            using var probe = Mount(1, "probe");
            File.WriteAllText(probe.Combine("probe"), "probe");
            return null;
        }
        catch (Exception ex) when (ex is XunitException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return $"needs a small tmpfs mounted for the test, which is not possible here ({ex.Message}); " +
                "set REQUIRE_PEERS=1 to fail instead of skipping";
        }
    }

    private static (int ExitCode, string Output) Privileged(string command, params string[] arguments) =>
        Environment.IsPrivilegedProcess ? Run(command, arguments) : Run("sudo", ["-n", command, .. arguments]);

    private static (int ExitCode, string Output) Run(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new XunitException($"could not start {command}");
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

/// <summary>
/// A fact that needs <see cref="SmallFilesystem"/>: skipped with the reason where mounting is impossible,
/// failed under REQUIRE_PEERS=1.
/// </summary>
public sealed class SmallFilesystemFactAttribute : FactAttribute
{
    public SmallFilesystemFactAttribute() => Skip = SmallFilesystem.SkipReason;
}
