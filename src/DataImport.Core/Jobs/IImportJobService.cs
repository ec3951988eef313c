namespace DataImport;

/// <summary>
/// Background import jobs: start an import that a hosted worker runs later, then poll, list, cancel it and download its
/// not-imported rows. Every call takes the caller's domain; a job of another domain is not found.
/// Registered by <c>AddDataImport().AddBackgroundJobs()</c>.
/// </summary>
public interface IImportJobService
{
    /// <summary>
    /// Checks the request at once, streams its file into the file store, and queues the job. The request's
    /// <see cref="ImportRequest.File"/> is read to its end and not disposed; <see cref="ImportRequest.Domain"/> is the job's domain.
    /// </summary>
    /// <param name="request">The request; its <see cref="ImportRequest.NotImportedOutput"/> must be unset (the job writes its own).</param>
    /// <param name="cancellationToken">A token to cancel the upload.</param>
    /// <returns>The queued job.</returns>
    /// <exception cref="ImportValidationException">The request is invalid; every problem is listed.</exception>
    /// <exception cref="ImportFileTooLargeException">The file is larger than <see cref="DataImportOptions.MaxFileBytes"/>.</exception>
    Task<ImportJobDto> StartAsync(ImportRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets a job of a domain.</summary>
    /// <param name="domain">The caller's domain, or <see langword="null"/>.</param>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The job, with a fresh signed <see cref="ImportJobDto.NotImportedDownloadUrl"/> when it ended with rows not imported; <see langword="null"/> when there is no such job in the domain.</returns>
    Task<ImportJobDto?> GetAsync(string? domain, string id, CancellationToken cancellationToken = default);

    /// <summary>Lists the jobs of a domain, newest first.</summary>
    /// <param name="domain">The caller's domain, or <see langword="null"/>.</param>
    /// <param name="skip">How many jobs to skip.</param>
    /// <param name="take">How many jobs to return at most.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The jobs.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="skip"/> is negative or <paramref name="take"/> is not 1 to 1000.</exception>
    Task<IReadOnlyList<ImportJobDto>> ListAsync(string? domain, int skip = 0, int take = 50, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a job: a queued job ends <see cref="ImportJobStatus.Cancelled"/> at once; a running one stops at its next row
    /// (on another machine, at its next batch or heartbeat), keeping rows already written. A finished job is left as it is.
    /// </summary>
    /// <param name="domain">The caller's domain, or <see langword="null"/>.</param>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The job after the request, or <see langword="null"/> when there is no such job in the domain.</returns>
    Task<ImportJobDto?> CancelAsync(string? domain, string id, CancellationToken cancellationToken = default);

    /// <summary>Opens the CSV of rows a finished job did not import.</summary>
    /// <param name="domain">The caller's domain, or <see langword="null"/>.</param>
    /// <param name="id">The job id.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The file, or <see langword="null"/> when the job is not in the domain, has not ended, or has no file.</returns>
    Task<Stream?> OpenNotImportedAsync(string? domain, string id, CancellationToken cancellationToken = default);
}
