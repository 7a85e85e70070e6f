using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// A daemon under test (rsyslogd, the Collector) run in the foreground as a child process: its output is collected line
/// by line for failure messages and for what a test waits on, and it is killed by its PID on dispose.
/// </summary>
public sealed class ForegroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Action<string>? _onLine;

    private ForegroundProcess(Process process, Action<string>? onLine)
    {
        _process = process;
        _onLine = onLine;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it printed on stdout and stderr so far.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts <paramref name="fileName"/>; <paramref name="onLine"/> sees each output line as it comes.
    /// </summary>
    public static ForegroundProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        Action<string>? onLine = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var foreground = new ForegroundProcess(process, onLine);
        process.OutputDataReceived += (_, e) => foreground.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => foreground.Collect(e.Data);
        if (!process.Start())
        {
            throw new XunitException($"Could not start {fileName}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return foreground;
    }

    public Task WaitForExitAsync() => _process.WaitForExitAsync();

    /// <summary>
    /// The port a daemon wrote to a port file (rsyslog's listenPortFileName), or 0 while there is none.
    /// </summary>
    public static int ReadPortFile(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
            _onLine?.Invoke(line);
        }
    }
}
