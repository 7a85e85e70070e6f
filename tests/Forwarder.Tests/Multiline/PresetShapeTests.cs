using Forwarder.Multiline;

namespace Forwarder.Tests.Multiline;

/// <summary>
/// Shapes the real-trace corpus has no example of (written here after the runtimes' documented output), each one
/// event with <c>auto</c> and with its own preset, and lines that look close but are not continuations.
/// </summary>
public sealed class PresetShapeTests
{
    public static TheoryData<string, string> Traces() => new()
    {
        {
            "java",
            "java.lang.Exception: close failed\n\tat com.shop.Db.close(Db.java:40)\n\tSuppressed: java.io.IOException: socket reset\n"
                + "\t\tat com.shop.Net.close(Net.java:12)\n\t\t... 1 more\nCaused by: java.sql.SQLException: gone\n\t... 3 common frames omitted"
        },
        {
            "dotnet",
            "Unhandled exception. System.InvalidOperationException: Checkout failed\n ---> System.ArgumentException: cart (Parameter 'id')\n"
                + "   at Shop.Cart.Add(Int32 id) in /src/Shop/Cart.cs:line 42\n"
                + "   at Shop.Program.<Main>$(String[] args) in /src/Shop/Program.cs:line 7\n"
                + "   --- End of inner exception stack trace ---\n   at Shop.Program.<Main>$(String[] args) in /src/Shop/Program.cs:line 9\n"
                + "--- End of stack trace from previous location ---\n   at Shop.Program.<Main>(String[] args)"
        },
        {
            "dotnet",
            "fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]\n"
                + "      An unhandled exception has occurred while executing the request.\n"
                + "      System.Exception: boom\n         at Shop.Api.Get() in /src/Api.cs:line 3"
        },
        {
            "go",
            "SIGQUIT: quit\nPC=0x46b8e1 m=0 sigcode=0\n\ngoroutine 0 gp=0x5a1c40 m=0 mp=0x5a2640 [idle]:\n"
                + "runtime.futex(0x5a2780, 0x80, 0x0, 0x0, 0x0, 0x0)\n"
                + "\t/usr/local/go/src/runtime/sys_linux_amd64.s:557 +0x21 fp=0x7ffd8 sp=0x7ffd0 pc=0x46b8e1\n\n"
                + "goroutine 1 [chan receive, 2 minutes]:\n"
                + "main.main()\n\t/app/main.go:12 +0x2d\n\nrax    0xca\nrip    0x46b8e1"
        },
        {
            "python",
            "  + Exception Group Traceback (most recent call last):\n  |   File \"/app/x.py\", line 2, in <module>\n"
                + "  | ExceptionGroup: two (2 sub-exceptions)\n"
                + "  +-+---------------- 1 ----------------\n    | ValueError: one\n    +------------------------------------"
        },
        {
            "node",
            "Error: outer\n    at main (/app/index.js:9:11)\n    at Object.<anonymous> (/app/index.js:12:1) {\n  [cause]: TypeError: inner\n"
                + "      at main (/app/index.js:7:13)\n      ... 1 lines matching cause stack trace ...\n}"
        },
        {
            "ruby",
            "/app/cart.rb:3:in 'Cart#add': undefined method 'price' for nil (NoMethodError)\n\tfrom /app/cart.rb:9:in 'block in <main>'\n"
                + "\tfrom <internal:kernel>:187:in 'loop'\n\t ... 2 levels...\n\tfrom /app/cart.rb:8:in '<main>'"
        },
    };

    [Theory]
    [MemberData(nameof(Traces))]
    public void EachShapeIsOneEventWithAutoAndWithItsPreset(string preset, string trace)
    {
        Assert.True(MultilineSpec.TryParse(preset, out var spec, out _));
        foreach (var rule in new[] { new PresetRule(MultilinePresets.All), spec.CreateRule()! })
        {
            var joined = new JoinedEvents(rule).FeedText(trace).Feed("INFO after").FlushAll();

            Assert.Equal([trace, "INFO after"], joined.Texts);
        }
    }

    [Theory]
    [InlineData("GET /a 200", "    at the moment 3 workers are idle (pool=default)")]
    [InlineData("GET /a 200", "  at least once (see docs:12:3 for details) done")]
    [InlineData("ok", "---> forwarding to upstream")]
    [InlineData("ok", "--- End of batch 17 ---")]
    [InlineData("ok", "Caused by user request: resync")]
    [InlineData("ok", "\tfrom now on requests go to shard 2")]
    [InlineData("WARN retrying", "java.net.ConnectException: Connection refused")]
    [InlineData("{\"msg\":\"x\"}", "  File \"app.py\", line 3")]
    [InlineData("panic averted", "\t/app/main.go:12 +0x2d")]
    public void ALineThatOnlyLooksLikeAContinuationIsAnEventOfItsOwn(string first, string second)
    {
        var joined = JoinedEvents.Auto().Feed(first, second, "INFO after").FlushAll();

        Assert.Equal([first, second, "INFO after"], joined.Texts);
    }

    [Fact]
    public void PresetsNotChosenDoNotJoin()
    {
        string[] python = ["Traceback (most recent call last):", "  File \"/app/x.py\", line 3, in <module>", "ValueError: x"];

        var joined = new JoinedEvents(new PresetRule(MultilinePresets.Java)).Feed(python).FlushAll();

        Assert.Equal(python, joined.Texts);
    }
}
