using DataImport.Output;
using DataImport.Reading;

namespace DataImport.Pipeline;

/// <summary>
/// The batching stage: reads data rows from the source into the batch until it is full or the file ends, skipping
/// blank rows and rows a resumed job already committed, keeping each row's source cells when rows not imported are
/// written, and enforcing the row limit.
/// </summary>
internal sealed class RowBatcher(RowSource source, RowStage stage, int resumeAfter, int dataRowsBefore, int? maxRows, int sourceWidth, bool keepSourceCells)
{
    /// <summary>Gets the data rows counted so far (a resumed job's committed rows included).</summary>
    public int DataRows { get; private set; } = dataRowsBefore;

    /// <summary>Gets the row number of the last data row read.</summary>
    public int LastRowRead { get; private set; }

    /// <summary>
    /// Fills the batch. Synchronous on purpose: the per-row loop stays out of the async state machine, and being called
    /// once per batch it is compiled at full optimisation early. A malformed file throws
    /// <see cref="ImportFileException"/> (or a host reader's <see cref="InvalidDataException"/>) with the rows read before it still in the batch.
    /// </summary>
    public FillResult Fill(RowBatch batch, CancellationToken cancellationToken)
    {
        var culture = stage.Converter.Culture;
        while (!batch.IsFull)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!source.Read())
            {
                return FillResult.EndOfFile;
            }

            var rowNumber = source.RowNumber;
            if (rowNumber <= resumeAfter || source.IsBlankRow())
            {
                continue;
            }

            DataRows++;
            if (maxRows is { } limit && DataRows > limit)
            {
                return FillResult.RowLimit;
            }

            LastRowRead = rowNumber;
            var row = batch.Next(rowNumber);
            if (keepSourceCells)
            {
                var count = Math.Min(source.RowFieldCount, sourceWidth);
                for (var i = 0; i < count; i++)
                {
                    SourceCellFormatter.Append(source, i, culture, batch.Arena);
                }

                row.RawCount = count;
            }

            stage.Process(source, row);
            batch.Count++;
        }

        return FillResult.BatchFull;
    }
}

internal enum FillResult
{
    BatchFull,
    EndOfFile,
    RowLimit,
}
