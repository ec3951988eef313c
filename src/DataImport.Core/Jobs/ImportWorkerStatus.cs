namespace DataImport;

/// <summary>
/// The liveness of this process's background worker, for health checks: when its loop last ran, and whether it has
/// stopped. Registered by <c>AddBackgroundJobs()</c>; the worker's loop runs at least every
/// <see cref="ImportJobsOptions.PollInterval"/> while it is alive.
/// </summary>
public sealed class ImportWorkerStatus
{
    private long _lastLoopTicks = long.MinValue;
    private volatile bool _stopped;

    internal ImportWorkerStatus()
    {
    }

    /// <summary>Gets when the worker's loop last ran, by the container's <see cref="TimeProvider"/>.</summary>
    /// <value><see langword="null"/> until the worker has started.</value>
    public DateTimeOffset? LastLoop
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastLoopTicks);
            return ticks == long.MinValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Gets a value indicating whether the worker has stopped (the host is stopping, or its loop ended).</summary>
    /// <value><see langword="false"/> until then.</value>
    public bool Stopped => _stopped;

    internal void Loop(DateTimeOffset now) => Interlocked.Exchange(ref _lastLoopTicks, now.UtcTicks);

    internal void Stop() => _stopped = true;
}
