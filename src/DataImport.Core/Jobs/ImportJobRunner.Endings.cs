using DataImport.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DataImport.Jobs;

/// <summary>How a run ends a job: after too many attempts without progress, early before the engine ran, or with its final state.</summary>
internal sealed partial class ImportJobRunner
{
    /// <summary>
    /// How many claims in a row, this one included, have not committed a batch: a checkpoint records the attempt that
    /// saved it, so a job that progresses on every attempt (resumed after restarts) never counts up.
    /// </summary>
    private static int AttemptsWithoutProgress(StoredImportJob claimed) =>
        Math.Max(1, claimed.Attempts - (claimed.Checkpoint?.Attempt ?? 0));

    private static string Attempts(int count) => count == 1 ? "1 attempt" : $"{count} attempts";

    /// <summary>
    /// An error before the engine ran: the job keeps its lease until it ends, so a worker tries again a lease later
    /// (time for a file share or a database to come back), and ends failed with <paramref name="step"/> on the last attempt.
    /// </summary>
    private async Task<ImportJobDto?> EndAttemptAsync(StoredImportJob claimed, int attempt, string step, Exception ex)
    {
        JobLog.AttemptFailed(_logger, claimed.Id, attempt, _options.MaxAttempts, step, ex);
        if (attempt < _options.MaxAttempts)
        {
            return null;
        }

        return await FinishEarlyAsync(claimed, ImportJobStatus.Failed, $"The import could not run after {Attempts(attempt)}: {step}.").ConfigureAwait(false);
    }


    private async Task<ImportJobDto?> FinishEarlyAsync(StoredImportJob claimed, ImportJobStatus status, string message)
    {
        var now = _time.GetUtcNow();
        var job = claimed.Job;
        var final = job with
        {
            Status = status,
            Message = message,
            StartedDate = job.StartedDate ?? now,
            CompletedDate = now,
            UpdatedAt = now,
            Output = new ImportJobOutput { ImportedCount = job.ImportedCount, FailedCount = job.FailedCount, CreatedCount = job.CreatedCount, UpdatedCount = job.UpdatedCount, SkippedCount = job.SkippedCount, ErrorCount = job.ErrorCount, TotalItems = job.TotalItems, DryRun = job.Payload?.DryRun ?? false },
        };
        return await EndAsync(final).ConfigureAwait(false);
    }

    private async Task<ImportJobDto?> EndAsync(ImportJobDto final)
    {
        // A store that stays down throws here: the job keeps its lease, and the worker that resumes it after the lease ends
        // finds every row checkpointed and ends it.
        if (!await _retry.RunAsync(final.Id, "ending the job", ct => _store.TryTransitionAsync(final.Id, ImportJobStatus.InProgress, final, WorkerId, ct), CancellationToken.None).ConfigureAwait(false))
        {
            JobLog.TransitionRefused(_logger, final.Id, final.Status);
            return null;
        }

        _metrics.RecordJob(final);
        JobLog.Finished(_logger, final.Id, final.Status);
        return final;
    }
}
