using Xunit.Sdk;

namespace TestSupport;

/// <summary>Waits on a condition with a deadline instead of sleeping for a fixed time.</summary>
public static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Environment.TickCount64 + (long)(timeout ?? DefaultTimeout).TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new XunitException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>The same with a condition that has to ask (e.g. scrape <c>/metrics</c>).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Environment.TickCount64 + (long)(timeout ?? DefaultTimeout).TotalMilliseconds;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new XunitException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> has not changed for <paramref name="quiet"/>: the end of a delivery test,
    /// so that extras and duplicates arriving after the expected number are seen too.
    /// </summary>
    public static async Task UntilQuietAsync(Func<long> count, TimeSpan quiet, string what, TimeSpan? timeout = null, TimeSpan? poll = null)
    {
        var interval = poll ?? TimeSpan.FromMilliseconds(10);
        var limit = timeout ?? DefaultTimeout;
        long deadline = Environment.TickCount64 + (long)limit.TotalMilliseconds;
        long last = count();
        long changedAt = Environment.TickCount64;
        while (Environment.TickCount64 - changedAt < quiet.TotalMilliseconds)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new XunitException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what} to stop growing (at {last}).");
            }

            await Task.Delay(interval);
            long now = count();
            if (now != last)
            {
                last = now;
                changedAt = Environment.TickCount64;
            }
        }
    }

    public static async Task<T> ForAsync<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        if (await Task.WhenAny(task, Task.Delay(limit)) != task)
        {
            throw new XunitException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}.");
        }

        return await task;
    }

    public static async Task ForAsync(Task task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        if (await Task.WhenAny(task, Task.Delay(limit)) != task)
        {
            throw new XunitException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}.");
        }

        await task;
    }
}
