using TestSupport;

namespace Chaos;

/// <summary>
/// One of the two programs under test as a real process (<c>dotnet X.dll</c>) on fixed loopback ports, so that it can
/// be killed with SIGKILL and started again in the same place. Started counts as up once <see cref="ReadyPath"/>
/// answers 200.
/// </summary>
public sealed class Daemon(string name, string dll, IReadOnlyList<string> args, int httpPort, string readyPath) : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private ForegroundProcess? _process;
    private readonly List<string> _earlierOutput = [];

    public string Name { get; } = name;

    public Uri HttpBase { get; } = new($"http://127.0.0.1:{httpPort}/");

    public string ReadyPath { get; } = readyPath;

    public int Starts { get; private set; }

    public int Kills { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the processes printed, the killed ones first (for a failure report).</summary>
    public string Output => string.Join(Environment.NewLine, [.. _earlierOutput, _process?.Output ?? ""]);

    public async Task StartAsync()
    {
        _process = ForegroundProcess.Start("dotnet", [dll, .. args]);
        Starts++;
        long deadline = Environment.TickCount64 + (long)StartTimeout.TotalMilliseconds;
        while (!await IsReadyAsync())
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the {Name} exited with {_process.ExitCode} while starting:\n{_process.Output}");
            }

            if (Environment.TickCount64 > deadline)
            {
                throw new InvalidOperationException($"the {Name} was not ready within {StartTimeout.TotalSeconds} s:\n{_process.Output}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL (what Process.Kill sends on Linux): no shutdown, no flush, no last save.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        _earlierOutput.Add($"--- {Name} start {Starts}, killed ---");
        await _process.DisposeAsync();
        _earlierOutput.Add(_process.Output);
        _process = null;
        Kills++;
    }

    public async Task<string> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(HttpBase, path));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>SIGTERM and a wait for the exit: the end of the run.</summary>
    public async Task<int> TerminateAsync()
    {
        if (_process is null)
        {
            return 0;
        }

        var kill = await ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM failed: {kill.StandardError}");
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    private async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(HttpBase, ReadyPath));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
