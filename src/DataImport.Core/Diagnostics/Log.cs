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
}
