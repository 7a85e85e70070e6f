using System.Diagnostics;

namespace RelpLoad;

/// <summary>
/// A thread that sends for its share of the sessions (in order of their ids). All sessions send at the same rate, each
/// offset by its share of one interval, so the messages fall due in a fixed order (session 0, 1, … N-1, then 0 again
/// with the next sequence number): one cursor walks that order, and the thread sleeps a millisecond whenever the next
/// message is not yet due. A session whose window is full is set aside and tried again on every pass until it has
/// caught up. A thread or two instead of a task and a timer per session and message: what the generator costs is
/// mostly the send system calls.
/// </summary>
internal sealed class LoadPacer(LoadSession[] sessions, int messagesPerSession, long start)
{
    private readonly List<LoadSession> _waiting = [];

    public Thread Start(CancellationToken stop)
    {
        var thread = new Thread(() => Run(stop)) { Name = "relp-load pacer", IsBackground = true };
        thread.Start();
        return thread;
    }

    private void Run(CancellationToken stop)
    {
        foreach (var session in sessions)
        {
            session.Start = start;
        }

        long total = (long)sessions.Length * messagesPerSession;
        long next = 0;
        while ((next < total || _waiting.Count > 0) && !stop.IsCancellationRequested)
        {
            long now = Stopwatch.GetTimestamp();
            _waiting.RemoveAll(CaughtUp);
            while (next < total)
            {
                var session = sessions[next % sessions.Length];
                int seq = (int)(next / sessions.Length);
                if (session.DueAt(seq) > now)
                {
                    break;
                }

                session.Due = seq + 1;
                if (!session.Waiting && !session.SendDue())
                {
                    session.Waiting = true;
                    _waiting.Add(session);
                }

                next++;
            }

            if (next == total || sessions[next % sessions.Length].DueAt((int)(next / sessions.Length)) > Stopwatch.GetTimestamp())
            {
                // Pacing, not synchronisation: a millisecond's nap that ends early when the run is given up.
                stop.WaitHandle.WaitOne(1);
            }
        }
    }

    private static bool CaughtUp(LoadSession session)
    {
        session.Waiting = !session.SendDue();
        return !session.Waiting;
    }
}
