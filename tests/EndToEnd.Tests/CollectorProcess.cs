using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using TestSupport;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// The Collector as a real process (<c>dotnet Collector.dll</c>): syslog TCP on a port the kernel picks (read from its
/// log), HTTP on a reserved port, messages in <see cref="File"/>. Killed by its PID on dispose.
/// </summary>
public sealed partial class CollectorProcess : IAsyncDisposable
{
    private readonly ForegroundProcess _process;

    private CollectorProcess(string file, int httpPort, Action<string> watch)
    {
        File = file;
        Http = new Uri($"http://127.0.0.1:{httpPort}");
        _process = ForegroundProcess.Start("dotnet", [Binaries.CollectorDll, "--tcp", "127.0.0.1:0", "--udp", "", "--http", $"127.0.0.1:{httpPort}", "--file", file], watch);
    }

    public string File { get; }

    public Uri Http { get; }

    public IPEndPoint? Tcp { get; private set; }

    public string Output => _process.Output;

    public static async Task<CollectorProcess> StartAsync(string file)
    {
        CollectorProcess? collector = null;
        collector = new CollectorProcess(file, LoopbackTcpReceiver.FreePortForAChildProcess(), line =>
        {
            var match = Listening().Match(line);
            if (match.Success)
            {
                collector!.Tcp = IPEndPoint.Parse(match.Groups[1].Value);
            }
        });
        await Wait.UntilAsync(() => collector.Tcp is not null || collector._process.HasExited, "the Collector to listen", TimeSpan.FromSeconds(30));
        if (collector.Tcp is null)
        {
            string output = collector.Output;
            await collector.DisposeAsync();
            throw new XunitException($"the Collector exited:\n{output}");
        }

        return collector;
    }

    /// <summary>The complete lines of the messages file (a line still being written is left out).</summary>
    public string[] ReadLines()
    {
        if (!System.IO.File.Exists(File))
        {
            return [];
        }

        using var stream = new FileStream(File, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        int end = bytes.LastIndexOf((byte)'\n');
        return end < 0 ? [] : Encoding.UTF8.GetString(bytes[..end]).Split('\n');
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Receiving syslog on tcp://[\\""]*([0-9a-f.:\[\]]+:[0-9]+)")]
    private static partial Regex Listening();
}
