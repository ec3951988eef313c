using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataImport.HealthChecks;

/// <summary>This process's background worker is alive: started, not stopped, and its loop ran within the timeout.</summary>
internal sealed class WorkerHealthCheck(IServiceProvider services, DataImportHealthCheckOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        var status = services.GetService<ImportWorkerStatus>();
        if (status is null)
        {
            return Task.FromResult(new HealthCheckResult(failure, "Background jobs are not registered (AddBackgroundJobs)."));
        }

        if (status.Stopped)
        {
            return Task.FromResult(new HealthCheckResult(failure, "The import worker has stopped."));
        }

        if (status.LastLoop is not { } last)
        {
            return Task.FromResult(new HealthCheckResult(failure, "The import worker has not started."));
        }

        var age = (services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow() - last;
        var data = new Dictionary<string, object> { ["lastLoop"] = last };
        return Task.FromResult(age > options.WorkerTimeout
            ? new HealthCheckResult(failure, $"The import worker's loop last ran {Durations.Describe(age)} ago (the limit is {Durations.Describe(options.WorkerTimeout)}).", data: data)
            : HealthCheckResult.Healthy($"The import worker's loop ran {Durations.Describe(age)} ago.", data));
    }
}
