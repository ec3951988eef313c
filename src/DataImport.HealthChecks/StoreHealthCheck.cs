using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataImport.HealthChecks;

/// <summary>The job store answers a read (a job that does not exist), whatever store it is.</summary>
internal sealed class StoreHealthCheck(IServiceProvider services) : IHealthCheck
{
    private const string ProbeId = "dataimport-health-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ImportJobStore>() is not { } store)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Background jobs are not registered (AddBackgroundJobs).");
        }

        try
        {
            await store.GetAsync(ProbeId, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The job store answered.");
        }
#pragma warning disable CA1031 // Any failure of the store is this check's result; its message stays in the exception, for the log.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The job store is not reachable.", ex);
        }
    }
}
