using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataImport.HealthChecks;

/// <summary>The oldest queued job has not waited longer than the threshold (workers keep up with the queue).</summary>
internal sealed class QueueHealthCheck(IServiceProvider services, DataImportHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ImportJobStore>() is not { } store)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Background jobs are not registered (AddBackgroundJobs).");
        }

        StoredImportJob? oldest;
        try
        {
            oldest = await store.GetOldestQueuedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            return HealthCheckResult.Healthy("Not checked: the job store does not report its queue.");
        }
#pragma warning disable CA1031 // Any failure of the store is this check's result, with the exception for the log.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The queue could not be read from the job store.", ex);
        }

        if (oldest is null)
        {
            return HealthCheckResult.Healthy("No job is queued.");
        }

        var age = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow() - oldest.Job.CreatedDate;
        var data = new Dictionary<string, object> { ["oldestQueuedJob"] = oldest.Id, ["queuedSince"] = oldest.Job.CreatedDate };
        return age > options.MaxQueuedAge
            ? new HealthCheckResult(context.Registration.FailureStatus, $"The oldest queued job has waited {Durations.Describe(age)} (the limit is {Durations.Describe(options.MaxQueuedAge)}).", data: data)
            : HealthCheckResult.Healthy($"The oldest queued job has waited {Durations.Describe(age)}.", data);
    }
}
