using Polly;
using Polly.Retry;

namespace Forwarder.Metadata;

/// <summary>
/// The retry every metadata source runs its list/watch or poll under: for ever (shipping never waits for metadata, so
/// giving up would only mean never getting it back), exponential from 200 ms up to <c>--max-retry-delay</c> with
/// jitter (a restarted API server is not hit by every node's Forwarder in the same instant), cancellation never
/// retried.
/// </summary>
internal static class MetadataRetry
{
    /// <summary>
    /// <paramref name="onFailure"/> gets the attempt number (1 for the first failure), the exception and the delay
    /// before the next attempt: the source marks itself unavailable, logs and counts there.
    /// </summary>
    public static ResiliencePipeline Forever(TimeProvider time, TimeSpan maxDelay, Action<int, Exception, TimeSpan> onFailure) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = maxDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    onFailure(args.AttemptNumber + 1, args.Outcome.Exception!, args.RetryDelay);
                    return default;
                },
            })
            .Build();
}
