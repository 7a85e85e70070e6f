using Shared.Transport;

namespace Shared.Tests.Transport;

/// <summary>
/// Both programs ask for inline socket completions unless the user decided otherwise. (Whether the runtime honours
/// the variable is its business: it reads it once, before the first socket; this test process has long used sockets.)
/// </summary>
public sealed class InlineSocketCompletionsTests
{
    [Fact]
    public void ItTurnsThemOnWhenTheVariableIsNotSet()
    {
        string? before = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, null);

            InlineSocketCompletions.Enable();

            Assert.Equal("1", Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, before);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public void ItLeavesAValueTheUserSet(string value)
    {
        string? before = Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable);
        try
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, value);

            InlineSocketCompletions.Enable();

            Assert.Equal(value, Environment.GetEnvironmentVariable(InlineSocketCompletions.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions.Variable, before);
        }
    }
}
