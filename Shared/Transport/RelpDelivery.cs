using Shared.Relp;

namespace Shared.Transport;

/// <summary>
/// The messages of one send to a RELP receiver and how far each got: answered (acknowledged or refused), or still to be
/// sent. It outlives a broken session and moves with the caller to another sender (failover), so that only the
/// unanswered messages are sent again, in their original order. Complete once every message was answered.
/// </summary>
public sealed class RelpDelivery
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _messages;
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Sent on a session that ended before answering them: ascending, all below _nextFresh, sent before fresh ones.
    private List<int> _resend = [];
    private int _resendAt;
    private int _nextFresh;
    private int _answeredCount;
    private int _acknowledged;
    private int _refused;
    private string? _firstRefusal;

    /// <param name="messages">Unframed messages; the list and their memory must stay unchanged until the delivery is
    /// complete or abandoned.</param>
    public RelpDelivery(IReadOnlyList<ReadOnlyMemory<byte>> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _messages = messages;
        if (messages.Count == 0)
        {
            _answered.TrySetResult();
        }
    }

    public int Count => _messages.Count;

    /// <summary>Messages the receiver answered with <c>200</c>.</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>
    /// Messages the receiver answered with an error: it will not take them, so they are not sent again.
    /// </summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>The receiver's first error answer (<c>500 …</c>), or null.</summary>
    public string? FirstRefusal => Volatile.Read(ref _firstRefusal);

    /// <summary>Every message was answered.</summary>
    public bool IsComplete => _answered.Task.IsCompleted;

    internal Task Answered => _answered.Task;

    internal bool HasNext => _resendAt < _resend.Count || _nextFresh < _messages.Count;

    internal ReadOnlyMemory<byte> this[int index] => _messages[index];

    /// <summary>
    /// The messages not answered, in order, for a sender without acknowledgements (a <c>tcp://</c> target after a RELP
    /// one failed). Only while no session holds any of them, i.e. after a send threw.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Unanswered()
    {
        var list = new List<ReadOnlyMemory<byte>>(_resend.Count - _resendAt + _messages.Count - _nextFresh);
        for (int i = _resendAt; i < _resend.Count; i++)
        {
            list.Add(_messages[_resend[i]]);
        }

        for (int i = _nextFresh; i < _messages.Count; i++)
        {
            list.Add(_messages[i]);
        }

        return list;
    }

    internal bool TryTakeNext(out int index)
    {
        if (_resendAt < _resend.Count)
        {
            index = _resend[_resendAt++];
            return true;
        }

        if (_nextFresh < _messages.Count)
        {
            index = _nextFresh++;
            return true;
        }

        index = -1;
        return false;
    }

    /// <summary>Called on the session's receive loop, once per message sent.</summary>
    internal void Answer(RelpResponse response)
    {
        if (response.IsOk)
        {
            Interlocked.Increment(ref _acknowledged);
        }
        else
        {
            Interlocked.CompareExchange(ref _firstRefusal, response.ToString(), null);
            Interlocked.Increment(ref _refused);
        }

        if (Interlocked.Increment(ref _answeredCount) == _messages.Count)
        {
            _answered.TrySetResult();
        }
    }

    /// <summary>
    /// A session ended with these (indexes, in send order) unanswered: they go out first on the next one.
    /// </summary>
    internal void Return(IEnumerable<int> unanswered)
    {
        var merged = new List<int>(unanswered);
        merged.AddRange(_resend.Skip(_resendAt));
        merged.Sort();
        _resend = merged;
        _resendAt = 0;
    }
}
