using Shared.Relp;

namespace Shared.Tests.Relp;

public class RelpUnansweredCommandsTests
{
    private static RelpPendingMessage Pending(int txnr) => new(txnr, new byte[] { (byte)txnr }, $"s{txnr}", txnr * 10);

    [Fact]
    public void AnswersInOrderEmptyTheRingWithoutGrowingIt()
    {
        var list = new RelpUnansweredCommands(4);
        for (int round = 0; round < 3; round++)
        {
            for (int t = 1; t <= 4; t++)
            {
                list.Add(Pending((round * 4) + t));
            }

            for (int t = 1; t <= 4; t++)
            {
                Assert.True(list.TryRemove((round * 4) + t, out var removed));
                Assert.Equal($"s{(round * 4) + t}", removed.State);
                Assert.Equal(((round * 4) + t) * 10, removed.Tag);
            }

            Assert.Equal(0, list.Count);
        }

        Assert.Empty(list.TakeAll());
    }

    [Fact]
    public void AnAnswerOutOfOrderLeavesAHoleThatTakeAllSkipsAndLaterAnswersClose()
    {
        var list = new RelpUnansweredCommands(8);
        for (int t = 1; t <= 5; t++)
        {
            list.Add(Pending(t));
        }

        Assert.True(list.TryRemove(3, out _));
        Assert.False(list.TryRemove(3, out _));
        Assert.Equal(4, list.Count);
        Assert.True(list.TryRemove(1, out _));
        Assert.True(list.TryRemove(2, out _));
        Assert.Equal(2, list.Count);
        list.Add(Pending(6));

        Assert.Equal([4, 5, 6], list.TakeAll().Select(m => m.Txnr));
        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void GrowsPastItsCapacityWhileWrappedAndKeepsSendOrder()
    {
        var list = new RelpUnansweredCommands(4);
        for (int t = 1; t <= 3; t++)
        {
            list.Add(Pending(t));
        }

        Assert.True(list.TryRemove(1, out _));
        Assert.True(list.TryRemove(2, out _));
        for (int t = 4; t <= 11; t++)
        {
            list.Add(Pending(t));
        }

        Assert.Equal(9, list.Count);
        Assert.True(list.TryRemove(3, out _));
        Assert.Equal(Enumerable.Range(4, 8), list.TakeAll().Select(m => m.Txnr));
    }

    [Fact]
    public void NoCommandWaitsWithTheHintTxnrOrAnUnknownOne()
    {
        var list = new RelpUnansweredCommands(2);
        list.Add(Pending(1));
        Assert.True(list.TryRemove(1, out _));

        // The answered slot holds txnr 0 now: an rsp for txnr 0 must not match it.
        Assert.False(list.TryRemove(RelpTxnr.Hint, out _));
        Assert.False(list.TryRemove(7, out _));
        Assert.Equal(0, list.Count);
    }
}
