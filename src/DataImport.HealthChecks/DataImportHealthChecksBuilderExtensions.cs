using DataImport.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataImport;

/// <summary>Registers the DataImport health checks.</summary>
public static class DataImportHealthChecksBuilderExtensions
{
    /// <summary>The tag of every DataImport health check, to select them (e.g. <c>MapHealthChecks("/health/imports", new() { Predicate = c => c.Tags.Contains("dataimport") })</c>).</summary>
    public const string Tag = "dataimport";

    /// <summary>
    /// Adds three health checks over the background jobs of <c>AddBackgroundJobs()</c>:
    /// <c>dataimport-worker</c> (unhealthy when this process's worker has not started, has stopped, or its loop has not run
    /// for <see cref="DataImportHealthCheckOptions.WorkerTimeout"/>), <c>dataimport-queue</c> (degraded when the oldest queued
    /// job has waited longer than <see cref="DataImportHealthCheckOptions.MaxQueuedAge"/>) and <c>dataimport-store</c>
    /// (unhealthy when the job store does not answer). Each is tagged <see cref="Tag"/>.
    /// </summary>
    /// <param name="builder">The health checks builder of <c>AddHealthChecks()</c>.</param>
    /// <param name="configure">Sets the thresholds.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddDataImportHealthChecks(this IHealthChecksBuilder builder, Action<DataImportHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new DataImportHealthCheckOptions();
        configure?.Invoke(options);
        if (options.WorkerTimeout <= TimeSpan.Zero || options.MaxQueuedAge <= TimeSpan.Zero)
        {
            throw new ArgumentException("WorkerTimeout and MaxQueuedAge must be positive.", nameof(configure));
        }

        string[] tags = [Tag];
        builder.Add(new HealthCheckRegistration("dataimport-worker", sp => new WorkerHealthCheck(sp, options), HealthStatus.Unhealthy, tags));
        builder.Add(new HealthCheckRegistration("dataimport-queue", sp => new QueueHealthCheck(sp, options), HealthStatus.Degraded, tags));
        builder.Add(new HealthCheckRegistration("dataimport-store", sp => new StoreHealthCheck(sp), HealthStatus.Unhealthy, tags));
        return builder;
    }
}
