using DataImport.Pipeline;
using DataImport.Progress;

namespace DataImport.Output;

/// <summary>
/// The outcome stage: counts each decided row, keeps the first row errors, and writes every row not imported to the
/// not-imported file (its source cells, its row number and its reason).
/// </summary>
internal sealed class ImportOutcomes : IAsyncDisposable
{
    private readonly ImportJobState _state;
    private readonly ImportProgress _progress;
    private readonly int _maxReportedErrors;
    private readonly Stream? _output;
    private NotImportedWriter? _writer;

    public ImportOutcomes(ImportProgress progress, int maxReportedErrors, Stream? output)
    {
        _state = progress.State;
        _progress = progress;
        _maxReportedErrors = maxReportedErrors;
        _output = output;
    }

    /// <summary>Gets a value indicating whether rows not imported are written, so their source cells must be kept.</summary>
    public bool KeepsSourceCells => _writer is not null;

    /// <summary>
    /// Starts the not-imported file, if the request asked for one: the header row on a fresh run, nothing on a resumed
    /// one (the file already holds the rows written before the checkpoint). A header-less source gets a header line of
    /// blank names then <c>Row</c> and <c>Reason</c>, the same rule as a source with headers: a not-imported file of a
    /// not-imported file never repeats them, and the CSV reader knows that line is not data.
    /// </summary>
    public void Open(char delimiter, IReadOnlyList<string> headers, int sourceWidth, bool hasHeaderRow, bool neutraliseSourceFormulas, bool resuming)
    {
        if (_output is null)
        {
            return;
        }

        _writer = new NotImportedWriter(_output, delimiter, sourceWidth, neutraliseSourceFormulas, writePreamble: !resuming);
        if (!resuming)
        {
            _writer.WriteHeader(hasHeaderRow ? headers : []);
        }
    }

    /// <summary>Counts the decided rows of a batch and writes those not imported.</summary>
    public void Apply(PendingRow[] batch, int count)
    {
        lock (_state.Gate)
        {
            for (var i = 0; i < count; i++)
            {
                Apply(batch[i]);
            }

            _progress.Touch();
        }
    }

    /// <summary>Flushes the not-imported file; returns its length, which a checkpoint keeps to cut off rows written after it.</summary>
    public async Task<long> FlushAsync(CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            return 0;
        }

        await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return _output is { CanSeek: true } ? _output.Length : 0;
    }

    public ValueTask DisposeAsync() => _writer?.DisposeAsync() ?? ValueTask.CompletedTask;

    private void Apply(PendingRow row)
    {
        switch (row.Outcome)
        {
            case RowOutcome.Created:
                _state.Created++;
                return;
            case RowOutcome.Updated:
                _state.Updated++;
                return;
            case RowOutcome.Skipped:
                _state.Skipped++;
                break;
            default:
                _state.Errors++;
                break;
        }

        var outcome = row.Outcome ?? RowOutcome.Error;
        if (row.Problems.Count == 0)
        {
            AddError(new ImportRowError { Row = row.Row, Code = row.RowReasonCode ?? ImportProblemCodes.InvalidValue, Message = row.RowReason ?? string.Empty, Outcome = outcome });
        }
        else
        {
            foreach (var problem in row.Problems)
            {
                AddError(new ImportRowError { Row = row.Row, Column = problem.Column, Property = problem.Property, Code = problem.Code, Message = problem.Message, Outcome = outcome });
            }
        }

        _writer?.WriteRow(row.Raw!, row.RawStart, row.RawCount, row.Row, row.Reason());
    }

    private void AddError(ImportRowError error)
    {
        if (_state.RowErrors.Count < _maxReportedErrors)
        {
            _state.RowErrors.Add(error);
        }
    }
}
