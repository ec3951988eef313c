using DataImport.Conversion;
using DataImport.Diagnostics;
using DataImport.Entities;
using DataImport.Mapping;
using DataImport.Output;
using DataImport.Reading;
using Microsoft.Extensions.Logging;

namespace DataImport.Pipeline;

/// <summary>
/// One run of the engine: reads rows, converts and validates them, and writes them to the sink in batches, applying
/// the mode as if rows were processed one at a time in file order.
/// </summary>
/// <remarks>
/// A batch is committed before the next batch looks up its keys, so a row matching an earlier row of the same file
/// is found in the sink and memory stays flat. When a batch write fails it is split in halves, and each half is
/// decided again against the sink (so outcomes equal a one-row-at-a-time run) until the failing rows stand alone.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The writer is disposed at the end of RunAsync, the only entry point.")]
internal sealed class ImportPipeline<TRecord>
    where TRecord : class
{
    private readonly ImportEngine _engine;
    private readonly ImportRequest _request;
    private readonly ImportEntity<TRecord> _entity;
    private readonly ImportSink<TRecord> _sink;
    private readonly ImportRunHooks _hooks;
    private readonly DataImportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ImportJobState _state;
    private readonly int _batchSize;
    private readonly RawRowArena _arena = new();
    private readonly PendingRow[] _pending;
    private readonly HashSet<ImportKey>? _dryRunCreated;
    private readonly List<ValidationProblem> _validation = [];
    private readonly List<int> _candidates = [];
    private int _pendingCount;
    private int _dataRows;
    private int _lastRowRead;
    private long _lastReport = long.MinValue;
    private NotImportedWriter? _writer;
    private Task<int?>? _estimate;
    private string[] _mappedNames = [];

    public ImportPipeline(ImportEngine engine, ImportRequest request, ImportEntity<TRecord> entity, ImportSink<TRecord> sink, ImportRunHooks hooks, ImportJobState state)
    {
        _engine = engine;
        _request = request;
        _entity = entity;
        _sink = sink;
        _hooks = hooks;
        _options = engine.Options;
        _time = engine.Time;
        _logger = engine.Logger;
        _state = state;
        _batchSize = request.BatchSize ?? _options.BatchSize;
        _pending = engine.RentBatch(_batchSize);
        _dryRunCreated = request.DryRun && entity.Schema.HasKey ? [] : null;
    }

    public async Task<ImportJobDto> RunAsync(CancellationToken cancellationToken)
    {
        var schema = _entity.Schema;
        lock (_state.Gate)
        {
            _state.Status = ImportJobStatus.InProgress;
            _state.StartedDate ??= _time.GetUtcNow();
            _state.UpdatedAt = _time.GetUtcNow();
            if (_hooks.Resume is { } resume)
            {
                _state.Created = resume.Created;
                _state.Updated = resume.Updated;
                _state.Skipped = resume.Skipped;
                _state.Errors = resume.Errors;
                _state.TotalItems = resume.TotalItems;
                _state.RowErrors.AddRange(resume.RowErrors);
            }
        }

        Log.ImportStarted(_logger, _state.Id, schema.Name, _request.FileName);
        Report(force: true);
        RowSource? source = null;
        using var counting = new CancellationTokenSource();
        Task<int?>? estimate = null;
        try
        {
            ImportReaderContext context;
            (source, context, estimate) = await _engine.OpenAsync(_request, counting, cancellationToken).ConfigureAwait(false);

            // A resumed job keeps the total it had (the count covers the whole file, so it serves one saved without a total too).
            _estimate = _hooks.Resume is not { TotalItems: not null } ? estimate : null;
            ApplyEstimate();

            var headers = Enumerable.Range(0, source.FieldCount).Select(source.GetHeader).ToArray();
            var mapping = ResolvedMapping.Resolve(_request.Mapping, schema, _request.Mode, headers, _request.HasHeaderRow);
            _mappedNames = [.. mapping.Columns.Select(c => c.Property.Name)];
            if (_request.NotImportedOutput is { } output)
            {
                var resuming = _hooks.Resume is not null;
                _writer = new NotImportedWriter(output, context.OutputDelimiter, SourceWidth(headers), _request.NeutraliseSourceFormulas, writePreamble: !resuming);
                if (_request.HasHeaderRow && !resuming)
                {
                    _writer.WriteHeader(headers);
                }
            }

            await ReadRowsAsync(source, mapping, new ValueConverter(_request.Culture, TimeSpan.FromMinutes(_request.TimezoneOffset)), cancellationToken).ConfigureAwait(false);
            Finish(ImportJobStatus.Completed, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Finish(ImportJobStatus.Cancelled, "The import was cancelled; rows written before it stay.");
        }
        catch (ImportValidationException ex)
        {
            Finish(ImportJobStatus.Failed, string.Join(" ", ex.Problems));
        }
        catch (ImportStoppedException ex)
        {
            Finish(ImportJobStatus.Failed, ex.Message);
        }
        catch (InvalidDataException ex)
        {
            Finish(ImportJobStatus.Failed, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
        {
            Finish(ImportJobStatus.Failed, $"The file could not be read: {ex.Message}");
        }
#pragma warning disable CA1031 // A job must end with a status and a message, never crash its host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ImportCrashed(_logger, _state.Id, ex);
            Finish(ImportJobStatus.Failed, $"The import stopped unexpectedly: {ex.Message}");
        }
        finally
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
            }

            source?.Dispose();
            _estimate = null;
            if (estimate is not null)
            {
                // A count still running in the background is no longer needed; it stops at once and never throws.
                await counting.CancelAsync().ConfigureAwait(false);
                await estimate.ConfigureAwait(false);
            }
        }

        _engine.ReturnBatch(_pending);
        var final = _state.Snapshot();
        Log.ImportEnded(_logger, final.Id, final.Status, final.CreatedCount, final.UpdatedCount, final.SkippedCount, final.ErrorCount);
        _hooks.Progress?.Report(final);
        return final;
    }

    /// <summary>
    /// The source columns the not-imported file repeats. A file that is itself a not-imported file (its last two
    /// headers are Row and Reason) gets fresh Row and Reason columns instead of a second pair.
    /// </summary>
    private int SourceWidth(string[] headers)
    {
        var n = headers.Length;
        return _request.HasHeaderRow && n >= 3
            && string.Equals(headers[n - 2].Trim(), "Row", StringComparison.OrdinalIgnoreCase)
            && string.Equals(headers[n - 1].Trim(), "Reason", StringComparison.OrdinalIgnoreCase)
            ? n - 2
            : n;
    }

    private async Task ReadRowsAsync(RowSource source, ResolvedMapping mapping, ValueConverter converter, CancellationToken cancellationToken)
    {
        var reading = new BatchReading(
            source,
            mapping,
            mapping.Columns.ToArray(),
            converter,
            new FieldValue[_entity.Schema.Properties.Count],
            _hooks.Resume?.LastRow ?? 0,
            _writer is null ? source.FieldCount : SourceWidth([.. Enumerable.Range(0, source.FieldCount).Select(source.GetHeader)]));
        _dataRows = _hooks.Resume is { } resume ? resume.Created + resume.Updated + resume.Skipped + resume.Errors : 0;
        while (true)
        {
            FillResult result;
            try
            {
                result = FillBatch(reading, cancellationToken);
            }
            catch (InvalidDataException)
            {
                // Rows read before the bad spot are still imported, whatever the batch size.
                await CommitAsync(cancellationToken).ConfigureAwait(false);
                throw;
            }

            await CommitAsync(cancellationToken).ConfigureAwait(false);
            if (result == FillResult.RowLimit)
            {
                throw new ImportStoppedException($"The file has more than {_options.MaxRows:N0} data rows, the limit; rows up to row {_lastRowRead} were processed.");
            }

            if (result == FillResult.EndOfFile)
            {
                break;
            }
        }

        _estimate = null;
        lock (_state.Gate)
        {
            _state.TotalItems = _dataRows;
        }
    }

    /// <summary>Shows the row-count estimate in totalItems once its count has finished (checked once per batch).</summary>
    private void ApplyEstimate()
    {
        if (_estimate is not { IsCompleted: true } done)
        {
            return;
        }

        _estimate = null;
        if (done.Result is { } rows)
        {
            lock (_state.Gate)
            {
                _state.TotalItems = rows;
            }

            Report(force: true);
        }
    }

    /// <summary>
    /// Reads and converts rows until the batch is full or the file ends. Synchronous on purpose: the per-row loop stays
    /// out of the async state machine, and being called once per batch it is compiled at full optimisation early.
    /// </summary>
    private FillResult FillBatch(BatchReading reading, CancellationToken cancellationToken)
    {
        var source = reading.Source;
        while (_pendingCount < _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!source.Read())
            {
                return FillResult.EndOfFile;
            }

            var rowNumber = source.RowNumber;
            if (rowNumber <= reading.ResumeAfter || source.IsBlankRow())
            {
                continue;
            }

            _dataRows++;
            if (_options.MaxRows is { } maxRows && _dataRows > maxRows)
            {
                return FillResult.RowLimit;
            }

            _lastRowRead = rowNumber;
            var row = _pending[_pendingCount] ??= new PendingRow();
            row.Reset(rowNumber, _arena.FieldTotal);
            if (_writer is not null)
            {
                var count = Math.Min(source.RowFieldCount, reading.Width);
                for (var i = 0; i < count; i++)
                {
                    source.AppendSourceText(i, reading.Converter.Culture, _arena);
                }

                row.RawCount = count;
            }

            ConvertRow(source, reading.Mapping, reading.Columns, reading.Converter, reading.Values, row);
            _pendingCount++;
        }

        return FillResult.BatchFull;
    }

    private enum FillResult
    {
        BatchFull,
        EndOfFile,
        RowLimit,
    }

    private sealed record BatchReading(
        RowSource Source,
        ResolvedMapping Mapping,
        (int Column, EntityProperty Property)[] Columns,
        ValueConverter Converter,
        FieldValue[] Values,
        int ResumeAfter,
        int Width);

    private void ConvertRow(RowSource source, ResolvedMapping mapping, (int Column, EntityProperty Property)[] columns, ValueConverter converter, FieldValue[] values, PendingRow row)
    {
        var schema = _entity.Schema;
        var rowFields = source.RowFieldCount;
        var missingRequired = false;
        var textOnly = source.IsTextOnly;
        foreach (var (column, property) in columns)
        {
            ref var value = ref values[property.Ordinal];
            value.HasValue = false;
            string? error;
            if (column >= rowFields)
            {
                error = $"the row has only {rowFields} column{(rowFields == 1 ? "" : "s")}, so column {column + 1} is missing";
            }
            else if (textOnly)
            {
                var text = source.GetText(column);
                error = text.IsEmpty ? null : converter.ConvertText(text, property, ref value);
            }
            else
            {
                error = source.GetKind(column) switch
                {
                    CellKind.Empty => null,
                    CellKind.Text => converter.ConvertText(source.GetText(column), property, ref value),
                    CellKind.Number => converter.ConvertNumber(source.GetNumber(column), property, ref value),
                    CellKind.DateTime => converter.ConvertDateTime(source.GetDateTime(column), property, ref value),
                    CellKind.Boolean => converter.ConvertBoolean(source.GetBoolean(column), property, ref value),
                    _ => $"the cell holds the spreadsheet error {source.GetText(column)}",
                };
            }

            if (error is not null)
            {
                row.Problems.Add(new FieldProblem(column + 1, property.Name, error));
            }
            else if (!value.HasValue && (property.Required || IsKey(property)))
            {
                missingRequired = true;
                row.Problems.Add(new FieldProblem(column + 1, property.Name, IsKey(property) && !property.Required ? "a key value is required to match records" : "a value is required", MissingValue: true));
            }
        }

        if (row.Problems.Count > 0)
        {
            // Any conversion error makes the row an error; only missing values alone make it skipped.
            row.Outcome = missingRequired && row.Problems.TrueForAll(p => p.MissingValue) ? RowOutcome.Skipped : RowOutcome.Error;
            return;
        }

        var record = _entity.CreateRecord(values, mapping.Mapped);
        _validation.Clear();
        _entity.Validate(record, _validation);
        if (_validation.Count > 0)
        {
            foreach (var problem in _validation)
            {
                var column = problem.Property is null ? null : mapping.Columns.Where(c => string.Equals(c.Property.Name, problem.Property, StringComparison.OrdinalIgnoreCase)).Select(c => (int?)(c.Column + 1)).FirstOrDefault();
                row.Problems.Add(new FieldProblem(column, problem.Property, problem.Message));
            }

            row.Outcome = RowOutcome.Error;
            return;
        }

        row.Record = record;
        if (schema.HasKey)
        {
            var key = new object?[schema.Key.Count];
            for (var i = 0; i < key.Length; i++)
            {
                var property = schema.Key[i];
                key[i] = values[property.Ordinal].ToObject(property.Type);
            }

            row.Key = new ImportKey(key);
        }
    }

    private bool IsKey(EntityProperty property)
    {
        foreach (var key in _entity.Schema.Key)
        {
            if (ReferenceEquals(key, property))
            {
                return true;
            }
        }

        return false;
    }

    private async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_pendingCount == 0)
        {
            return;
        }

        // Reused across batches: DecideAndWriteAsync only reads it, and splits work on copies.
        var candidates = _candidates;
        candidates.Clear();
        for (var i = 0; i < _pendingCount; i++)
        {
            if (_pending[i].Outcome is null)
            {
                candidates.Add(i);
            }
        }

        if (candidates.Count > 0)
        {
            await DecideAndWriteAsync(candidates, cancellationToken).ConfigureAwait(false);
        }

        lock (_state.Gate)
        {
            for (var i = 0; i < _pendingCount; i++)
            {
                Apply(_pending[i]);
            }

            _state.UpdatedAt = _time.GetUtcNow();
        }

        var lastRow = _pending[_pendingCount - 1].Row;
        _pendingCount = 0;
        _arena.Clear();
        long notImportedBytes = 0;
        if (_writer is not null)
        {
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            notImportedBytes = _request.NotImportedOutput is { CanSeek: true } output ? output.Length : 0;
        }

        // Before the checkpoint, so a job resumed from it has the total whenever the count had finished.
        ApplyEstimate();
        if (_hooks.OnCheckpoint is { } onCheckpoint)
        {
            ImportCheckpoint checkpoint;
            lock (_state.Gate)
            {
                checkpoint = new ImportCheckpoint(lastRow, _state.Created, _state.Updated, _state.Skipped, _state.Errors, _state.TotalItems, notImportedBytes, [.. _state.RowErrors]);
            }

            await onCheckpoint(checkpoint, _state.Snapshot(), cancellationToken).ConfigureAwait(false);
        }

        Report(force: false);
        if (_request.ErrorBudget is { } budget && _state.Errors > budget)
        {
            throw new ImportStoppedException($"Stopped after {_state.Errors} rows with errors, over the error budget of {budget}; rows up to row {lastRow} were processed and those without errors were imported.");
        }
    }

    private async Task DecideAndWriteAsync(List<int> rows, CancellationToken cancellationToken)
    {
        var schema = _entity.Schema;
        IReadOnlySet<ImportKey> existing = EmptyKeys;
        if (schema.HasKey)
        {
            var keys = new HashSet<ImportKey>();
            foreach (var i in rows)
            {
                keys.Add(_pending[i].Key!);
            }

            existing = await _sink.FindExistingAsync([.. keys], cancellationToken).ConfigureAwait(false);
        }

        var createdHere = schema.HasKey ? new HashSet<ImportKey>() : null;
        var decisions = new RowOutcome[rows.Count];
        var reasons = new string?[rows.Count];
        var writes = new List<ImportWrite<TRecord>>(rows.Count);
        for (var n = 0; n < rows.Count; n++)
        {
            var row = _pending[rows[n]];
            var key = row.Key;
            var exists = key is not null && (existing.Contains(key) || createdHere!.Contains(key) || (_dryRunCreated?.Contains(key) ?? false));
            switch (_request.Mode)
            {
                case ImportMode.CreateOnly when exists:
                    decisions[n] = RowOutcome.Skipped;
                    reasons[n] = $"already exists: a record with {DescribeKey(key!)} is already there";
                    continue;
                case ImportMode.UpdateOnly when !exists:
                    decisions[n] = RowOutcome.Skipped;
                    reasons[n] = $"no matching record with {DescribeKey(key!)}";
                    continue;
            }

            var kind = exists ? ImportWriteKind.Update : ImportWriteKind.Create;
            decisions[n] = exists ? RowOutcome.Updated : RowOutcome.Created;
            if (!exists && key is not null)
            {
                createdHere!.Add(key);
            }

            writes.Add(new ImportWrite<TRecord> { Kind = kind, Record = (TRecord)row.Record!, Key = key, Row = row.Row, MappedProperties = _mappedNames });
        }

        if (writes.Count > 0 && !_request.DryRun)
        {
            try
            {
                await _sink.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (rows.Count == 1)
                {
                    var row = _pending[rows[0]];
                    row.Outcome = RowOutcome.Error;
                    row.Problems.Add(new FieldProblem(null, null, $"not saved: {ex.Message}"));
                    return;
                }

                Log.BatchSplit(_logger, _state.Id, writes.Count, ex.Message);
                var half = rows.Count / 2;
                await DecideAndWriteAsync(rows[..half], cancellationToken).ConfigureAwait(false);
                await DecideAndWriteAsync(rows[half..], cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        if (_dryRunCreated is not null && createdHere is not null)
        {
            _dryRunCreated.UnionWith(createdHere);
        }

        for (var n = 0; n < rows.Count; n++)
        {
            var row = _pending[rows[n]];
            row.Outcome = decisions[n];
            row.RowReason = reasons[n];
        }
    }

    private string DescribeKey(ImportKey key)
    {
        var schema = _entity.Schema;
        return string.Join(", ", schema.Key.Select((p, i) => $"{p.Name} = {key[i]}"));
    }

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
            AddError(new ImportRowError { Row = row.Row, Message = row.RowReason ?? string.Empty, Outcome = outcome });
        }
        else
        {
            foreach (var problem in row.Problems)
            {
                AddError(new ImportRowError { Row = row.Row, Column = problem.Column, Property = problem.Property, Message = problem.Message, Outcome = outcome });
            }
        }

        _writer?.WriteRow(_arena, row.RawStart, row.RawCount, row.Row, row.Reason());
    }

    private void AddError(ImportRowError error)
    {
        if (_state.RowErrors.Count < _options.MaxReportedErrors)
        {
            _state.RowErrors.Add(error);
        }
    }

    private void Finish(ImportJobStatus status, string? message)
    {
        if (status == ImportJobStatus.Failed && message is not null)
        {
            Log.ImportFailed(_logger, _state.Id, message);
        }

        lock (_state.Gate)
        {
            _state.Status = status;
            _state.Message = message ?? Summary();
            _state.CompletedDate = _time.GetUtcNow();
            _state.UpdatedAt = _state.CompletedDate.Value;
        }

        _hooks.OnState?.Invoke(_state);
    }

    private string Summary() =>
        $"{(_request.DryRun ? "Dry run: would have " : string.Empty)}{(_request.DryRun ? "created" : "Created")} {_state.Created}, updated {_state.Updated}, skipped {_state.Skipped}, {_state.Errors} with errors.";

    private void Report(bool force)
    {
        var now = _time.GetTimestamp();
        if (!force && _lastReport != long.MinValue && _time.GetElapsedTime(_lastReport, now) < _options.ProgressInterval)
        {
            _hooks.OnState?.Invoke(_state);
            return;
        }

        _lastReport = now;
        _hooks.OnState?.Invoke(_state);
        _hooks.Progress?.Report(_state.Snapshot());
    }

    private static readonly IReadOnlySet<ImportKey> EmptyKeys = new HashSet<ImportKey>();
}

/// <summary>The job stopped early for a reason the user can act on (a limit or the error budget).</summary>
internal sealed class ImportStoppedException(string message) : Exception(message);
