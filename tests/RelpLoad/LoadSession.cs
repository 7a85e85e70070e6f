using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Shared.Relp;

namespace RelpLoad;

/// <summary>
/// One RELP sender: connects, opens, then sends numbered messages at a fixed rate from a shared start time (each
/// session offset by its own phase so the sessions do not send in lockstep), and records for each answer the time since
/// the message was handed to the session. Answers come in order, so what was acknowledged is a prefix of what was sent.
/// </summary>
internal sealed class LoadSession(int id, LoadSettings settings, LatencyHistogram ackLatency, LatencyHistogram sendLag)
{
    // Send timestamps by sequence number modulo twice the window: seq + window is sent only after seq was answered.
    private readonly long[] _sentAt = new long[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)settings.Window * 2)];
    private int _sent;
    private int _acknowledged;
    private int _refused;

    public int Id => id;

    public int Sent => Volatile.Read(ref _sent);

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    public int Refused => Volatile.Read(ref _refused);

    public string? Failure { get; private set; }

    /// <summary>
    /// The message body's mark: the check finds the session and the sequence number in the stored line by it.
    /// </summary>
    public static string Mark(int session, int seq) => string.Create(CultureInfo.InvariantCulture, $"relpload session={session:D5} seq={seq:D9} ");

    public static byte[] Message(int session, int seq, int size)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"<134>1 2026-12-06T00:00:00.000001Z loadgen relpload {session} - - ");
        string body = Mark(session, seq);
        return Encoding.ASCII.GetBytes(head + body.PadRight(Math.Max(body.Length, size - head.Length), 'x'));
    }

    public async Task<RelpClientSession> ConnectAsync(IPEndPoint relp)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(relp);
        var options = new RelpClientOptions { WindowSize = settings.Window, Acknowledged = OnAcknowledged };
        return await RelpClientSession.OpenAsync(client.GetStream(), options);
    }

    /// <summary>
    /// Sends <see cref="LoadSettings.MessagesPerSession"/> messages paced from <paramref name="start"/> (a Stopwatch
    /// timestamp), then closes.
    /// </summary>
    public async Task RunAsync(RelpClientSession session, long start, CancellationToken stop)
    {
        long interval = Stopwatch.Frequency / settings.Rate;
        long phase = interval * id / settings.Sessions;
        try
        {
            for (int seq = 0; seq < settings.MessagesPerSession && !stop.IsCancellationRequested; seq++)
            {
                long due = start + phase + (seq * interval);
                long wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), CancellationToken.None);
                }

                var message = Message(id, seq, settings.Size);
                long now = Stopwatch.GetTimestamp();
                sendLag.Record(Stopwatch.GetElapsedTime(due, now));
                _sentAt[seq & (_sentAt.Length - 1)] = now;
                Volatile.Write(ref _sent, seq + 1);
                await session.SendSyslogAsync(message, state: seq, flush: true, CancellationToken.None);
            }

            await session.CloseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        }
        catch (Exception e) when (e is RelpSessionException or IOException or SocketException or TimeoutException or ObjectDisposedException)
        {
            Failure = e.Message;
        }
        finally
        {
            await session.DisposeAsync();
        }
    }

    private void OnAcknowledged(RelpAcknowledgement ack)
    {
        long now = Stopwatch.GetTimestamp();
        int seq = (int)ack.State!;
        if (!ack.Response.IsOk)
        {
            Interlocked.Increment(ref _refused);
            return;
        }

        // Answers come in send order: the acknowledged messages are always 0..Acknowledged-1.
        if (seq != _acknowledged)
        {
            Failure ??= $"answer for seq {seq} came when {_acknowledged} was next";
        }

        ackLatency.Record(Stopwatch.GetElapsedTime(_sentAt[seq & (_sentAt.Length - 1)], now));
        Volatile.Write(ref _acknowledged, seq + 1);
    }
}
