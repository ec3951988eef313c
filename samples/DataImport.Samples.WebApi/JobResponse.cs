namespace DataImport.Samples.WebApi;

/// <summary>
/// The job object of both seeds (the REST API's job and <c>CsvImportJobDto</c>), with the status in upper case
/// (<c>QUEUED</c>, <c>IN_PROGRESS</c>, <c>COMPLETED</c>, <c>FAILED</c>, <c>CANCELLED</c>) and an absolute download link.
/// </summary>
public sealed record JobResponse
{
    /// <summary>Gets the job id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the code to poll with; the same as <see cref="Id"/>.</summary>
    public required string Code { get; init; }

    /// <summary>Gets the entity name.</summary>
    public required string Entity { get; init; }

    /// <summary>Gets the job type, <c>IMPORT</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the status in upper case.</summary>
    public required string Status { get; init; }

    /// <summary>Gets the progress, 0 to 100.</summary>
    public int Progress { get; init; }

    /// <summary>Gets why the job failed, or its summary once ended.</summary>
    public string? Message { get; init; }

    /// <summary>Gets why a failed job failed: a stable code and, for a file that cannot be read at one spot, its row and column.</summary>
    public ImportProblem? Failure { get; init; }

    /// <summary>Gets the uploaded file's name.</summary>
    public string? FileName { get; init; }

    /// <summary>Gets the number of data rows, once known.</summary>
    public int? TotalItems { get; init; }

    /// <summary>Gets the rows processed so far.</summary>
    public int ProcessedItems { get; init; }

    /// <summary>Gets the records created.</summary>
    public int CreatedCount { get; init; }

    /// <summary>Gets the records updated.</summary>
    public int UpdatedCount { get; init; }

    /// <summary>Gets the rows skipped.</summary>
    public int SkippedCount { get; init; }

    /// <summary>Gets the rows with errors.</summary>
    public int ErrorCount { get; init; }

    /// <summary>Gets the rows imported (created + updated).</summary>
    public int ImportedCount { get; init; }

    /// <summary>Gets the rows not imported (skipped + errors).</summary>
    public int FailedCount { get; init; }

    /// <summary>Gets the first row errors.</summary>
    public IReadOnlyList<ImportRowError> Errors { get; init; } = [];

    /// <summary>Gets the signed, expiring link to the CSV of rows not imported, or <see langword="null"/>.</summary>
    public string? NotImportedDownloadUrl { get; init; }

    /// <summary>Gets the request.</summary>
    public ImportJobPayload? Payload { get; init; }

    /// <summary>Gets the summary once ended.</summary>
    public ImportJobOutput? Output { get; init; }

    /// <summary>Gets when the job was created.</summary>
    public DateTimeOffset CreatedDate { get; init; }

    /// <summary>Gets when the job was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the job started.</summary>
    public DateTimeOffset? StartedDate { get; init; }

    /// <summary>Gets when the job started.</summary>
    public DateTimeOffset? JobStart { get; init; }

    /// <summary>Gets when the job ended.</summary>
    public DateTimeOffset? CompletedDate { get; init; }

    /// <summary>Gets when the job ended.</summary>
    public DateTimeOffset? JobEnd { get; init; }

    /// <summary>Gets when the job last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets when the worker last reported the job alive.</summary>
    public DateTimeOffset? LastHeartbeat { get; init; }

    /// <summary>Gets how long the job ran, e.g. <c>10 seconds</c>.</summary>
    public string? Duration { get; init; }

    /// <summary>Maps the library's job to the REST shape.</summary>
    /// <param name="job">The job.</param>
    /// <param name="request">The request, to make the download link absolute.</param>
    /// <returns>The response object.</returns>
    public static JobResponse From(ImportJobDto job, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(request);
        return new JobResponse
        {
            Id = job.Id,
            Code = job.Code,
            Entity = job.Entity,
            Type = job.Type,
            Status = StatusText(job.Status),
            Progress = job.Progress,
            Message = job.Message,
            Failure = job.Failure,
            FileName = job.FileName,
            TotalItems = job.TotalItems,
            ProcessedItems = job.ProcessedItems,
            CreatedCount = job.CreatedCount,
            UpdatedCount = job.UpdatedCount,
            SkippedCount = job.SkippedCount,
            ErrorCount = job.ErrorCount,
            ImportedCount = job.ImportedCount,
            FailedCount = job.FailedCount,
            Errors = job.Errors,
            NotImportedDownloadUrl = job.NotImportedDownloadUrl is { } link && link.StartsWith('/')
                ? $"{request.Scheme}://{request.Host}{request.PathBase}{link}"
                : job.NotImportedDownloadUrl,
            Payload = job.Payload,
            Output = job.Output,
            CreatedDate = job.CreatedDate,
            CreatedAt = job.CreatedAt,
            StartedDate = job.StartedDate,
            JobStart = job.JobStart,
            CompletedDate = job.CompletedDate,
            JobEnd = job.JobEnd,
            UpdatedAt = job.UpdatedAt,
            LastHeartbeat = job.LastHeartbeat,
            Duration = job.Duration,
        };
    }

    /// <summary>The seed's spelling of a status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The upper-case status.</returns>
    public static string StatusText(ImportJobStatus status) => status switch
    {
        ImportJobStatus.Queued => "QUEUED",
        ImportJobStatus.InProgress => "IN_PROGRESS",
        ImportJobStatus.Completed => "COMPLETED",
        ImportJobStatus.Failed => "FAILED",
        ImportJobStatus.Cancelled => "CANCELLED",
        _ => status.ToString().ToUpperInvariant(),
    };
}
