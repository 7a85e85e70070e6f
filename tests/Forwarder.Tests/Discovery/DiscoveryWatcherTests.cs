using Forwarder.Discovery;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Forwarder.Tests.Discovery;

public sealed class DiscoveryWatcherTests
{
    // The caller waits up to a second between scans; a watch must wake it much sooner than the periodic scan would.
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task WakesWhenAFileIsCreatedDeletedOrRenamed()
    {
        using var dir = TempDirectory.Create();
        string logs = Directory.CreateDirectory(dir.Combine("logs")).FullName;
        using var watcher = Watcher(logs + "/*.log");
        Assert.True(watcher.IsWatching);

        await WakesOnAsync(watcher, () => File.WriteAllText(Path.Combine(logs, "a.log"), "x\n"), "a create");
        await WakesOnAsync(watcher, () => File.Move(Path.Combine(logs, "a.log"), Path.Combine(logs, "b.log")), "a rename");
        await WakesOnAsync(watcher, () => File.Delete(Path.Combine(logs, "b.log")), "a delete");
        await WakesOnAsync(watcher, () => File.CreateSymbolicLink(Path.Combine(logs, "c.log"), "/nowhere"), "a new link");
    }

    [Fact]
    public async Task WakesForAFileCreatedDeepBelowARecursiveBase()
    {
        using var dir = TempDirectory.Create();
        string site = Directory.CreateDirectory(dir.Combine("site/x/y")).FullName;
        using var watcher = Watcher(dir.Path + "/site/**/*.log");

        await WakesOnAsync(watcher, () => File.WriteAllText(Path.Combine(site, "a.log"), "x\n"), "a create at depth 2");
        await WakesOnAsync(watcher, () => Directory.CreateDirectory(Path.Combine(site, "z")), "a new directory");

        // The new directory is watched as well: a file inside it wakes the caller too.
        await WakesOnAsync(watcher, () => File.WriteAllText(Path.Combine(site, "z", "b.log"), "x\n"), "a create at depth 3");
    }

    [Fact]
    public async Task WritesToAWatchedFileDoNotWakeTheCaller()
    {
        using var dir = TempDirectory.Create();
        string file = dir.Combine("a.log");
        File.WriteAllText(file, "x\n");
        using var watcher = Watcher(dir.Path + "/*.log");

        long started = Environment.TickCount64;
        var wait = watcher.WaitAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        File.AppendAllText(file, "more\n");
        await wait;

        Assert.True(Environment.TickCount64 - started >= 200, "woke on a write, which only the tailer cares about");
    }

    [Fact]
    public async Task WaitReturnsAfterItsTimeoutWhenNothingChanges()
    {
        using var dir = TempDirectory.Create();
        using var watcher = Watcher(dir.Path + "/*.log");

        await Wait.ForAsync(watcher.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None), "the timeout", Deadline);
    }

    [Fact]
    public async Task CancellationEndsTheWaitWithOperationCanceledException()
    {
        using var dir = TempDirectory.Create();
        using var watcher = Watcher(dir.Path + "/*.log");
        using var cancel = new CancellationTokenSource();

        var wait = watcher.WaitAsync(Long, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wait.ForAsync(wait, "the cancelled wait", Deadline));
    }

    [Fact]
    public async Task ABaseDirectoryThatIsAFileIsPolledAfterOneWarning()
    {
        using var dir = TempDirectory.Create();
        File.WriteAllText(dir.Combine("logs"), "not a directory\n");
        var logger = new CollectingLogger();
        using var watcher = Watcher(dir.Path + "/logs/*.log", logger);

        for (int i = 0; i < 3; i++)
        {
            await Wait.ForAsync(watcher.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None), "the polling timeout", Deadline);
        }

        Assert.False(watcher.IsWatching);
        var warning = Assert.Single(logger.WithEvent(110));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(dir.Combine("logs"), warning.Values["Directory"]);
    }

    [Fact]
    public async Task AMissingBaseDirectoryIsWatchedOnceItAppears()
    {
        using var dir = TempDirectory.Create();
        Directory.CreateDirectory(dir.Combine("var/log"));
        string logs = dir.Combine("var/log/containers");
        var logger = new CollectingLogger();
        using var watcher = Watcher(logs + "/*.log", logger);
        await watcher.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        await watcher.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        Assert.False(watcher.IsWatching);
        Assert.Single(logger.WithEvent(110));

        // The parent is watched for the directory's name, so a wait in progress ends when it appears; the next wait
        // starts the watch and returns at once too: files may have appeared before the watch started.
        var waiting = watcher.WaitAsync(Long, CancellationToken.None);
        Directory.CreateDirectory(logs);
        await Wait.ForAsync(waiting, "the wait in progress when the directory appeared", Deadline);
        await Wait.ForAsync(watcher.WaitAsync(Long, CancellationToken.None), "the wait that starts the watch", Deadline);
        Assert.True(watcher.IsWatching);
        Assert.Single(logger.WithEvent(111));
        await WakesOnAsync(watcher, () => File.WriteAllText(Path.Combine(logs, "a.log"), "x\n"), "a create in the new directory");
    }

    [Fact]
    public async Task ABaseDirectoryWhoseParentIsMissingTooIsFoundByTheNextWait()
    {
        using var dir = TempDirectory.Create();
        string logs = dir.Combine("var/log/containers");
        using var watcher = Watcher(logs + "/*.log");
        await watcher.WaitAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None);

        // Nothing can be watched for it, so the wait in progress runs to its timeout (the caller's poll interval); the
        // next one starts the watch and returns at once.
        var waiting = watcher.WaitAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        Directory.CreateDirectory(logs);
        await Wait.ForAsync(waiting, "the polling timeout", Deadline);
        await Wait.ForAsync(watcher.WaitAsync(Long, CancellationToken.None), "the wait that starts the watch", Deadline);

        Assert.True(watcher.IsWatching);
        await WakesOnAsync(watcher, () => File.WriteAllText(Path.Combine(logs, "a.log"), "x\n"), "a create in the new directory");
    }

    [Fact]
    public async Task ABaseDirectoryRemovedAndCreatedAgainIsWatchedAgain()
    {
        using var dir = TempDirectory.Create();
        string logs = Directory.CreateDirectory(dir.Combine("logs")).FullName;
        using var watcher = Watcher(logs + "/*.log");

        // ext4 may give the new directory the old inode number: only the parent's watch tells them apart.
        await WakesOnAsync(watcher, () => Directory.Delete(logs), "the directory's deletion");
        await WakesOnAsync(watcher, () => Directory.CreateDirectory(logs), "the directory's re-creation");

        await WakesOnAsync(watcher, () => File.WriteAllText(Path.Combine(logs, "a.log"), "x\n"), "a create in the new directory");
    }

    [Fact]
    public void OneWatchPerBaseDirectoryAndNoneInsideARecursiveOne()
    {
        string[] globs =
        [
            "/var/log/containers/*.log", "/var/log/containers/*.txt", "/var/lib/gravity/**/*.log",
            "/var/lib/gravity/site/*.log", "/var/log/*/x.log",
        ];
        var plan = DiscoveryWatcher.WatchPlan([.. globs.Select(GlobPattern.Parse)]);

        Assert.Equal([("/var/lib/gravity", true), ("/var/log", true)], plan);
    }

    private static DiscoveryWatcher Watcher(string include, ILogger? logger = null) =>
        new([GlobPattern.Parse(include)], logger ?? new CollectingLogger());

    /// <summary>Starts a long wait, makes the change, and expects the wait to end well before its timeout.</summary>
    private static async Task WakesOnAsync(DiscoveryWatcher watcher, Action change, string what)
    {
        await DrainAsync(watcher);
        var wait = watcher.WaitAsync(Long, CancellationToken.None);
        Assert.False(wait.IsCompleted, $"the wait before {what} ended at once");
        change();
        await Wait.ForAsync(wait, $"the watcher to wake on {what}", Deadline);
    }

    /// <summary>Events of earlier steps may still be arriving: waits until a short wait runs to its timeout.</summary>
    private static async Task DrainAsync(DiscoveryWatcher watcher)
    {
        var quiet = TimeSpan.FromMilliseconds(100);
        for (int attempt = 0; attempt < 50; attempt++)
        {
            long started = Environment.TickCount64;
            await watcher.WaitAsync(quiet, CancellationToken.None);
            if (Environment.TickCount64 - started >= quiet.TotalMilliseconds - 10)
            {
                return;
            }
        }

        Assert.Fail("the watcher kept waking up with nothing changing");
    }
}
