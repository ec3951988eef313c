using DataImport.Output;
using DataImport.Reading;

namespace DataImport.Pipeline;

/// <summary>
/// The batching stage: reads data rows from the source into the batch until it is full or the file ends, skipping
/// blank rows and rows a resumed job already committed, keeping each row's source cells when rows not imported are
/// written, and enforcing the row limit.
/// </summary>
/// <remarks>Reads, converts and validates on the importing thread; <see cref="ParallelRowBatcher"/> converts on several.</remarks>
internal sealed class RowBatcher(RowSource source, RowStage stage, int resumeAfter, int dataRowsBefore, int? maxRows, int sourceWidth, bool keepSourceCells)
    : IRowBatcher
{
    /// <inheritdoc/>
    public int DataRows { get; private set; } = dataRowsBefore;

    /// <inheritdoc/>
    public int LastRowRead { get; private set; }

    /// <inheritdoc/>
    /// <remarks>
    /// Synchronous on purpose: the per-row loop stays out of the async state machine, and being called once per batch it
    /// is compiled at full optimisation early.
    /// </remarks>
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

/// <summary>The batching stage as the pipeline drives it: fills batches of converted, validated rows in file order.</summary>
internal interface IRowBatcher
{
    /// <summary>Gets the data rows counted so far (a resumed job's committed rows included).</summary>
    int DataRows { get; }

    /// <summary>Gets the row number of the last data row read.</summary>
    int LastRowRead { get; }

    /// <summary>
    /// Fills the batch, which the pipeline hands over empty (the rows of the previous fill committed). A malformed file
    /// throws <see cref="ImportFileException"/> (or a host reader's <see cref="InvalidDataException"/>) with the rows read
    /// before it in the batch, and so does anything else the reader or a row's conversion throws.
    /// </summary>
    FillResult Fill(RowBatch batch, CancellationToken cancellationToken);
}

internal enum FillResult
{
    BatchFull,
    EndOfFile,
    RowLimit,
}
