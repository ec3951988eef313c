namespace DataImport.Pipeline;

/// <summary>What the job layer plugs into one engine run: identity, resume point, and callbacks after each committed batch.</summary>
internal sealed class ImportRunHooks
{
    public string? JobId { get; init; }

    public DateTimeOffset? CreatedDate { get; init; }

    public ImportCheckpoint? Resume { get; init; }

    public IProgress<ImportJobDto>? Progress { get; init; }

    /// <summary>Called after every committed batch with the position reached; the job layer persists it.</summary>
    public Func<ImportCheckpoint, ImportJobDto, CancellationToken, ValueTask>? OnCheckpoint { get; init; }

    /// <summary>Called whenever the job's state changes (start, each batch, end).</summary>
    public Action<ImportJobState>? OnState { get; init; }
}

/// <summary>Where a job stood after its last committed batch: enough to resume without writing a row twice.</summary>
/// <param name="LastRow">The row number of the last row whose batch was committed.</param>
/// <param name="Created">Records created so far.</param>
/// <param name="Updated">Records updated so far.</param>
/// <param name="Skipped">Rows skipped so far.</param>
/// <param name="Errors">Rows with errors so far.</param>
/// <param name="TotalItems">The data row count, when known.</param>
/// <param name="NotImportedBytes">The length of the not-imported file after the batch, to cut off rows written after it.</param>
/// <param name="RowErrors">The first row errors so far.</param>
internal sealed record ImportCheckpoint(int LastRow, int Created, int Updated, int Skipped, int Errors, int? TotalItems, long NotImportedBytes, IReadOnlyList<ImportRowError> RowErrors);
