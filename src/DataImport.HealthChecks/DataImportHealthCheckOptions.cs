namespace DataImport;

/// <summary>The thresholds of the DataImport health checks.</summary>
public sealed class DataImportHealthCheckOptions
{
    /// <summary>Gets or sets how long the worker's loop may go without running before the worker check is unhealthy.</summary>
    /// <value>The default is 1 minute. The loop runs at least every <see cref="ImportJobsOptions.PollInterval"/> (2 seconds by default) while it is alive.</value>
    public TimeSpan WorkerTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how long the oldest queued job may wait before the queue check is degraded.</summary>
    /// <value>The default is 10 minutes.</value>
    public TimeSpan MaxQueuedAge { get; set; } = TimeSpan.FromMinutes(10);
}
