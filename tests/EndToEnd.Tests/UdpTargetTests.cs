using System.Text;
using TestSupport;
using Xunit.Sdk;

namespace EndToEnd.Tests;

/// <summary>
/// The Forwarder shipping datagrams: UDP cannot push back or carry long lines, so cutting is counted.
/// </summary>
public sealed class UdpTargetTests
{
    private const int MaxDatagram = 1024;

    [Fact]
    public async Task LinesArriveAsDatagramsAndALineLongerThanTheDatagramSizeArrivesCutAndCounted()
    {
        using var dir = TempDirectory.Create();
        var tree = new NodeLogTree(dir);
        var log = tree.AddContainer("batch", "report-1", "main", RuntimeFormat.Cri);
        var texts = Enumerable.Range(0, 50).Select(n => $"line {n:D2} ünï ✓").ToList();
        string longText = "long " + string.Concat(Enumerable.Repeat("0123456789", 300));
        log.AppendMany(texts.Take(25));
        log.Append(longText);
        log.AppendMany(texts.Skip(25));

        // Sent one datagram at a time on loopback, far below the socket buffer: none is dropped by the kernel here.
        await using var target = SyslogTestListener.Start();
        await using var forwarder = await ForwarderProcess.StartAsync(
            tree.ContainersGlob,
            [$"udp://127.0.0.1:{target.UdpPort}"],
            dir.Combine("state"),
            "--max-datagram-size",
            $"{MaxDatagram}");
        try
        {
            await target.WaitForFramesAsync(texts.Count + 1, TimeSpan.FromSeconds(20));
        }
        catch (XunitException e)
        {
            throw new XunitException($"{e.Message}\nForwarder said:\n{forwarder.Output}");
        }

        var messages = target.Frames.Select(f => (f.Payload.Length, Message: ReceivedMessage.Parse(f.Payload))).ToList();
        Assert.Equal(
            texts.Order(StringComparer.Ordinal),
            messages
                .Select(m => m.Message.Text)
                .Where(t => !t.StartsWith("long ", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal));

        var cut = Assert.Single(messages, m => m.Message.Text.StartsWith("long ", StringComparison.Ordinal));
        Assert.Equal(MaxDatagram, cut.Length);
        Assert.StartsWith(cut.Message.Text, longText, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(cut.Message.Text) < Encoding.UTF8.GetByteCount(longText));
        Assert.Equal(1, await forwarder.MetricAsync("kubesyslog_forwarder_udp_truncated_lines_total"));
    }
}
