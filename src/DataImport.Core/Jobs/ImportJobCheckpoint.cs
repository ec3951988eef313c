namespace DataImport;

/// <summary>
/// Where a job stood after its last committed batch, as a job store keeps it: enough for another worker to resume
/// the job without writing a row twice.
/// </summary>
/// <param name="LastRow">The row number of the last row whose batch was committed; a resumed run skips rows up to it.</param>
/// <param name="Created">Records created so far.</param>
/// <param name="Updated">Records updated so far.</param>
/// <param name="Skipped">Rows skipped so far.</param>
/// <param name="Errors">Rows with errors so far.</param>
/// <param name="TotalItems">The data row count, when known.</param>
/// <param name="NotImportedBytes">The length of the not-imported file after the batch; a resumed run cuts the file back to it.</param>
/// <param name="RowErrors">The first row errors so far.</param>
public sealed record ImportJobCheckpoint(int LastRow, int Created, int Updated, int Skipped, int Errors, int? TotalItems, long NotImportedBytes, IReadOnlyList<ImportRowError> RowErrors);
