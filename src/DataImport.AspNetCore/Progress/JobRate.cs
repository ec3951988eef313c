namespace DataImport.AspNetCore;

/// <summary>
/// The speed of a job and the time it still needs, from its own progress: rows processed over the time from its start
/// to its last update (both the job store's timestamps, so the figures do not depend on when they are looked at).
/// </summary>
internal static class JobRate
{
    /// <summary>Computes the rate and the estimate.</summary>
    /// <param name="job">The job.</param>
    /// <returns>
    /// Rows per second (rounded to 0.1), or <see langword="null"/> before the first row or without a start; seconds left
    /// (rounded to 0.1), 0 once ended, or <see langword="null"/> while the total or the rate is unknown.
    /// </returns>
    public static (double? RowsPerSecond, double? EtaSeconds) Of(ImportJobDto job)
    {
        if (job.StartedDate is not { } start || job.ProcessedItems <= 0)
        {
            return (null, job.IsFinished ? 0 : null);
        }

        var seconds = ((job.CompletedDate ?? job.UpdatedAt) - start).TotalSeconds;
        if (seconds <= 0)
        {
            return (null, job.IsFinished ? 0 : null);
        }

        var rate = job.ProcessedItems / seconds;
        if (job.IsFinished)
        {
            return (Math.Round(rate, 1), 0);
        }

        return job.TotalItems is { } total
            ? (Math.Round(rate, 1), Math.Round(Math.Max(0, total - job.ProcessedItems) / rate, 1))
            : (Math.Round(rate, 1), null);
    }
}
