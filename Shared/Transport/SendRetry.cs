using System.Net.Sockets;
using Polly;
using Polly.Retry;

namespace Shared.Transport;

/// <summary>
/// The one retry policy of every syslog sender (TcpSyslogSender, the Forwarder's collector link, the Collector's
/// relays): transport failures only (IO, socket, timeout), exponential backoff with jitter so many clients of one
/// restarted receiver do not reconnect in step, waits on the given clock (tests use a fake one).
/// </summary>
public static class SendRetry
{
    /// <summary>Delays from <paramref name="delay"/> doubling up to <paramref name="maxDelay"/>;
    /// <paramref name="onRetry"/> is called before each wait (counting, logging, failing over).</summary>
    public static ResiliencePipeline Build(
        TimeProvider time, TimeSpan delay, TimeSpan maxDelay, int maxAttempts, Action<OnRetryArguments<object>> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<IOException>().Handle<SocketException>().Handle<TimeoutException>(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = delay,
                MaxDelay = maxDelay,
                MaxRetryAttempts = maxAttempts,
                OnRetry = args =>
                {
                    onRetry(args);
                    return default;
                },
            })
            .Build();
}
