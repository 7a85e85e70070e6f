namespace Shared.Relp;

/// <summary>
/// The <c>syslog</c> commands of a session that wait for their answers, oldest first, in a ring that grows only when
/// it must: no allocation per message (a linked list node per message cost a gen0 collection every ~60,000 messages).
/// Servers answer in txnr order, so the answered one is the oldest; one answered out of order leaves a hole that is
/// skipped once the ones before it are answered. Not thread-safe: the session guards it.
/// </summary>
internal sealed class RelpUnansweredCommands
{
    // Txnr 0 marks an answered slot: a syslog command never has txnr 0 (RelpTxnr.First is 1; 0 is the hint txnr).
    private RelpPendingMessage[] _slots;
    private int _head;
    private int _span;

    // A huge window grows the ring as it fills instead of reserving it up front.
    public RelpUnansweredCommands(int capacity) => _slots = new RelpPendingMessage[Math.Clamp(capacity, 1, 1024)];

    /// <summary>Commands not answered.</summary>
    public int Count { get; private set; }

    public void Add(in RelpPendingMessage message)
    {
        if (_span == _slots.Length)
        {
            Grow();
        }

        _slots[(_head + _span) % _slots.Length] = message;
        _span++;
        Count++;
    }

    /// <summary>Removes the command with <paramref name="txnr"/>; false when none waits with it.</summary>
    public bool TryRemove(int txnr, out RelpPendingMessage message)
    {
        message = default;
        if (txnr == RelpTxnr.Hint)
        {
            return false;
        }

        for (int i = 0; i < _span; i++)
        {
            ref var slot = ref _slots[(_head + i) % _slots.Length];
            if (slot.Txnr != txnr)
            {
                continue;
            }

            message = slot;
            slot = default;
            Count--;
            DropAnsweredHead();
            return true;
        }

        return false;
    }

    /// <summary>The commands not answered, in send order; the list is emptied.</summary>
    public List<RelpPendingMessage> TakeAll()
    {
        var pending = new List<RelpPendingMessage>(Count);
        for (int i = 0; i < _span; i++)
        {
            ref var slot = ref _slots[(_head + i) % _slots.Length];
            if (slot.Txnr != RelpTxnr.Hint)
            {
                pending.Add(slot);
            }

            slot = default;
        }

        _head = _span = Count = 0;
        return pending;
    }

    private void DropAnsweredHead()
    {
        while (_span > 0 && _slots[_head].Txnr == RelpTxnr.Hint)
        {
            _head = (_head + 1) % _slots.Length;
            _span--;
        }

        if (_span == 0)
        {
            _head = 0;
        }
    }

    private void Grow()
    {
        var grown = new RelpPendingMessage[_slots.Length * 2];
        for (int i = 0; i < _span; i++)
        {
            grown[i] = _slots[(_head + i) % _slots.Length];
        }

        _slots = grown;
        _head = 0;
    }
}
