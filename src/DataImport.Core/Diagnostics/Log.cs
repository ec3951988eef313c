using Microsoft.Extensions.Logging;

namespace DataImport.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Import {JobId} of {Entity} from '{FileName}' started")]
    public static partial void ImportStarted(ILogger logger, string jobId, string entity, string? fileName);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Import {JobId} ended {Status}: {Created} created, {Updated} updated, {Skipped} skipped, {Errors} errors")]
    public static partial void ImportEnded(ILogger logger, string jobId, ImportJobStatus status, int created, int updated, int skipped, int errors);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Import {JobId} failed: {Reason}")]
    public static partial void ImportFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Import {JobId} stopped by an unexpected error")]
    public static partial void ImportCrashed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Import {JobId}: a batch of {Count} writes failed ({Reason}); splitting it to isolate the failing rows")]
    public static partial void BatchSplit(ILogger logger, string jobId, int count, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Import {JobId}: the sink refused row {Row}")]
    public static partial void RowNotSaved(ILogger logger, string jobId, int row, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Import {JobId} could not read its file")]
    public static partial void FileUnreadable(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Import {JobId}: the sink failed to release what it held at the end of the run")]
    public static partial void SinkRunEndFailed(ILogger logger, string jobId, Exception exception);
}

/// <summary>Events of background jobs (ids 1100 and up).</summary>
internal static partial class JobLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Job {JobId} of {Entity} queued for domain '{Domain}'")]
    public static partial void Queued(ILogger logger, string jobId, string entity, string? domain);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Job {JobId} claimed by worker {WorkerId} (attempt {Attempt}), resuming after row {LastRow}")]
    public static partial void Claimed(ILogger logger, string jobId, string workerId, int attempt, int lastRow);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Job {JobId} ended {Status}")]
    public static partial void Finished(ILogger logger, string jobId, ImportJobStatus status);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Job {JobId}: worker {WorkerId} lost its lease; another worker owns the job now, so this run stops without changing it")]
    public static partial void LeaseLost(ILogger logger, string jobId, string workerId);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Job {JobId}: the host is stopping; lease released so another worker resumes it from its last checkpoint")]
    public static partial void Released(ILogger logger, string jobId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Job {JobId} could not end {Status}: the store says it changed meanwhile")]
    public static partial void TransitionRefused(ILogger logger, string jobId, ImportJobStatus status);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "The import worker {WorkerId} hit an error talking to the job store; it retries")]
    public static partial void WorkerError(ILogger logger, string workerId, Exception exception);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Deleted {Count} finished jobs older than {Before} and their files")]
    public static partial void CleanedUp(ILogger logger, int count, DateTimeOffset before);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Warning, Message = "Deleted {Count} uploads that no job took (a process stopped between receiving an upload and creating its job)")]
    public static partial void AbandonedUploadsDeleted(ILogger logger, int count);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "Job {JobId} cancellation requested")]
    public static partial void CancelRequested(ILogger logger, string jobId);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Information, Message = "Released {Count} leases held under worker {WorkerId} by a process of it that stopped; their jobs resume now")]
    public static partial void ReleasedAtStart(ILogger logger, int count, string workerId);

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Job {JobId}: {Operation} in the job store failed (try {Attempt} of {Attempts}); trying again in {Delay}")]
    public static partial void StoreWriteRetried(ILogger logger, string jobId, string operation, int attempt, int attempts, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Error, Message = "Job {JobId}: the job store stayed unavailable, so worker {WorkerId} stops this run without changing the job; a worker resumes it from its last checkpoint once its lease ends")]
    public static partial void StoreUnavailable(ILogger logger, string jobId, string workerId, Exception exception);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Error, Message = "Job {JobId}: attempt {Attempt} of {MaxAttempts} could not run: {Step}")]
    public static partial void AttemptFailed(ILogger logger, string jobId, int attempt, int maxAttempts, string step, Exception exception);

    [LoggerMessage(EventId = 1115, Level = LogLevel.Warning, Message = "Job {JobId}: attempt {Attempt} stopped, the database could not be reached; the job keeps its last checkpoint, and a worker resumes it from there once the lease of worker {WorkerId} ends")]
    public static partial void AttemptInterrupted(ILogger logger, string jobId, int attempt, string workerId, Exception exception);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Error, Message = "Job {JobId}: {Attempts} attempts in a row made no progress; the job ends failed")]
    public static partial void AttemptsExhausted(ILogger logger, string jobId, int attempts);
}
