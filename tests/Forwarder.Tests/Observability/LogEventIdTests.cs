using TestSupport;

namespace Forwarder.Tests.Observability;

public sealed class LogEventIdTests
{
    [Fact]
    public void EveryLogMessageOfTheForwarderHasItsOwnEventId()
    {
        var messages = LogEventIds.All(typeof(ForwarderApp).Assembly, typeof(Shared.Transport.SyslogSender).Assembly);
        Assert.True(messages.Count > 20, $"found only {messages.Count} [LoggerMessage] methods");
        var problems = LogEventIds.Problems(messages);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TwoMessagesWithOneIdAreFound()
    {
        // The check itself, on a copy of the real list with one id reused as a later branch might reuse it.
        var messages = LogEventIds.All(typeof(ForwarderApp).Assembly);
        var reused = messages.Append((messages[0].Id, "Later.Branch")).ToList();
        Assert.Equal([$"event id {messages[0].Id} is used by {messages[0].Method}, Later.Branch"], LogEventIds.Problems(reused));
    }
}
