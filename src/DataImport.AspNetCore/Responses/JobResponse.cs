using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace DataImport.AspNetCore;

/// <summary>
/// The job object of both seeds (the REST API's job and <c>CsvImportJobDto</c>), with the status in upper case
/// (<c>QUEUED</c>, <c>IN_PROGRESS</c>, <c>COMPLETED</c>, <c>FAILED</c>, <c>CANCELLED</c>) and an absolute download link
/// to this group's download endpoint. The progress events add <see cref="RowsPerSecond"/> and <see cref="EtaSeconds"/>.
/// </summary>
internal sealed record JobResponse
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

    /// <summary>Gets the rows processed per second since the job started; only in progress events, once rows were processed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RowsPerSecond { get; init; }

    /// <summary>Gets the estimated seconds until the job ends; only in progress events, once the total and a rate are known.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EtaSeconds { get; init; }

    /// <summary>Maps the library's job to the REST shape.</summary>
    /// <param name="job">The job.</param>
    /// <param name="request">The request, to make the download link absolute.</param>
    /// <param name="prefix">The group's route prefix, e.g. <c>/api/v1</c>, where its download endpoint is.</param>
    /// <returns>The response object.</returns>
    public static JobResponse From(ImportJobDto job, HttpRequest request, string prefix)
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
            NotImportedDownloadUrl = DownloadUrl(job, request, prefix),
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

    /// <summary>
    /// The job's signed link, pointing at this group's download endpoint: the library signs the job, domain and expiry
    /// (the query), and the path is where <c>MapDataImport</c> serves it, whatever prefix the host chose.
    /// </summary>
    private static string? DownloadUrl(ImportJobDto job, HttpRequest request, string prefix)
    {
        if (job.NotImportedDownloadUrl is not { } link || !link.StartsWith('/'))
        {
            return job.NotImportedDownloadUrl;
        }

        var at = link.IndexOf('?', StringComparison.Ordinal);
        var query = at >= 0 ? link[at..] : string.Empty;

        // A prefix with route values (e.g. /{tenant}/imports) cannot be written here; the configured DownloadPath is kept.
        var path = prefix.Contains('{', StringComparison.Ordinal) ? link[..(at >= 0 ? at : link.Length)] : $"{prefix}/job/{Uri.EscapeDataString(job.Id)}/not-imported";
        return $"{request.Scheme}://{request.Host}{request.PathBase}{path}{query}";
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
