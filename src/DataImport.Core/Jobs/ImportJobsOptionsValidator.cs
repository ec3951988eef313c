using Microsoft.Extensions.Options;

namespace DataImport.Jobs;

internal sealed class ImportJobsOptionsValidator : IValidateOptions<ImportJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, ImportJobsOptions options)
    {
        var problems = new List<string>();
        if (options.MaxConcurrency is < 1 or > 1024)
        {
            problems.Add($"ImportJobsOptions.MaxConcurrency is {options.MaxConcurrency}; use 1 to 1024.");
        }

        if (string.IsNullOrWhiteSpace(options.WorkerId))
        {
            problems.Add("ImportJobsOptions.WorkerId is required.");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            problems.Add("ImportJobsOptions.PollInterval must be positive.");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero || options.HeartbeatInterval >= options.LeaseDuration)
        {
            problems.Add($"ImportJobsOptions.HeartbeatInterval ({options.HeartbeatInterval}) must be positive and shorter than LeaseDuration ({options.LeaseDuration}).");
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            problems.Add($"ImportJobsOptions.MaxAttempts is {options.MaxAttempts}; use 1 to 100.");
        }

        if (options.Retention <= TimeSpan.Zero || options.CleanupInterval <= TimeSpan.Zero)
        {
            problems.Add("ImportJobsOptions.Retention and CleanupInterval must be positive.");
        }

        if (options.DownloadLinkKey is { Length: < 32 })
        {
            problems.Add("ImportJobsOptions.DownloadLinkKey must be at least 32 characters.");
        }

        if (options.DownloadLinkLifetime <= TimeSpan.Zero)
        {
            problems.Add("ImportJobsOptions.DownloadLinkLifetime must be positive.");
        }

        if (string.IsNullOrWhiteSpace(options.DownloadPath) || !options.DownloadPath.Contains("{id}", StringComparison.Ordinal))
        {
            problems.Add("ImportJobsOptions.DownloadPath must contain {id}.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
