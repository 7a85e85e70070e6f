namespace Chaos;

/// <summary>
/// Which program is killed when, and how long it stays down: drawn from the seed, so a run can be repeated.
/// </summary>
public sealed record KillPlan(IReadOnlyList<Kill> Kills)
{
    /// <summary>
    /// The kill moments spread uniformly over the middle 90 % of the writing time (the first and last 5 % left for
    /// start-up and for a last stretch with both up), shuffled between the two programs.
    /// </summary>
    public static KillPlan Draw(Random random, int collectorKills, int forwarderKills, TimeSpan duration, TimeSpan maxRestartDelay)
    {
        var targets = Enumerable.Repeat(Target.Collector, collectorKills).Concat(Enumerable.Repeat(Target.Forwarder, forwarderKills)).ToArray();
        random.Shuffle(targets);
        var moments = targets.Select(_ => duration * (0.05 + (0.9 * random.NextDouble()))).Order().ToArray();
        int maxDown = (int)Math.Max(51, maxRestartDelay.TotalMilliseconds);
        var kills = targets
            .Select((t, i) => new Kill(t, moments[i], TimeSpan.FromMilliseconds(random.Next(50, maxDown))))
            .ToList();
        return new KillPlan(kills);
    }
}

public enum Target
{
    Collector,
    Forwarder,
}

/// <summary>
/// At <see cref="At"/> after the writing started, SIGKILL <see cref="Target"/> and start it again
/// <see cref="Down"/> later.
/// </summary>
public readonly record struct Kill(Target Target, TimeSpan At, TimeSpan Down);
