using DataImport.Conversion;
using DataImport.Entities;
using DataImport.Mapping;
using DataImport.Output;
using DataImport.Progress;
using DataImport.Reading;
using DataImport.Validation;

namespace DataImport.Pipeline;

/// <summary>
/// One run of the engine, as a sequence of stages: the file is opened (Reading), rows are read into batches
/// (<see cref="RowBatcher"/>), each row is converted (<see cref="RowConverter"/>) and validated (<see cref="RowValidator"/>)
/// on the importing thread or, with <see cref="DataImportOptions.MaxDegreeOfParallelism"/> above 1, on several
/// (<see cref="ParallelRowBatcher"/>),
/// a batch's valid rows are matched and written by the mode (<see cref="BatchWriter{TRecord}"/>), outcomes are counted and
/// rows not imported written (<see cref="ImportOutcomes"/>), and progress and checkpoints reported (<see cref="ImportProgress"/>).
/// </summary>
/// <remarks>
/// A batch is committed before the next batch looks up its keys, so a row matching an earlier row of the same file is
/// found in the sink and memory stays flat (two batches at most: the next one fills while one is written). Every
/// failure ends the run with a status and a message, never an exception.
/// </remarks>
internal sealed class ImportPipeline<TRecord>(PipelineContext context, ImportRequest request, ImportEntity<TRecord> entity, ImportSink<TRecord> sink, ImportRunOptions run, ImportJobState state)
    where TRecord : class
{
    private readonly DataImportOptions _options = context.Options;

    public async Task<ImportJobDto> RunAsync(CancellationToken cancellationToken)
    {
        var progress = new ImportProgress(state, run, context.Time, _options.ProgressInterval, context.Logger);
        progress.Start(entity.Schema.Name, request.FileName);
        var degree = _options.MaxDegreeOfParallelism;
        var batchSize = request.BatchSize ?? _options.BatchSize;

        // Rows converted on other threads stay in the chunks they were converted in and the batch only points at them,
        // so the pooled batch, whose row objects the next run reuses, serves one-thread runs.
        // Two batches: one fills while the other is written (see ImportRowsAsync).
        var batch = new RowBatch(degree > 1 ? new PendingRow[batchSize] : context.Batches.Rent(batchSize));
        var spare = new RowBatch(degree > 1 ? new PendingRow[batchSize] : context.Batches.Rent(batchSize));
        var outcomes = new ImportOutcomes(progress, _options.MaxReportedErrors, request.NotImportedOutput);
        RowSource? source = null;
        using var counting = new CancellationTokenSource();
        Task<int?>? estimate = null;
        IdleGate? countGate = null;
        var sinkStarted = false;
        try
        {
            await sink.RunStartingAsync(cancellationToken).ConfigureAwait(false);
            sinkStarted = true;
            ImportReaderContext reading;
            (source, reading, estimate, countGate) = await context.Sources.OpenAsync(request, counting, cancellationToken).ConfigureAwait(false);
            progress.Estimate(estimate);

            string[] headers = [.. Enumerable.Range(0, source.FieldCount).Select(source.GetHeader)];
            var mapping = ResolvedMapping.Resolve(request.Mapping, entity.Schema, request.Mode, headers, request.HasHeaderRow);
            var width = NotImportedWriter.SourceWidth(headers, request.HasHeaderRow || reading.StartsWithNotImportedHeader);
            outcomes.Open(reading.OutputDelimiter, headers, width, request.HasHeaderRow, request.NeutraliseSourceFormulas, resuming: run.Resume is not null);

            RowStage NewStage() => new(new RowConverter(entity, mapping, new ValueConverter(request.Culture, TimeSpan.FromMinutes(request.TimezoneOffset))), new RowValidator(entity, mapping));
            var stage = NewStage();
            var resume = run.Resume;
            var resumeAfter = resume?.LastRow ?? 0;
            var rowsBefore = resume is null ? 0 : resume.Created + resume.Updated + resume.Skipped + resume.Errors;
            using var parallel = degree > 1
                ? new ParallelRowBatcher(source, stage, NewStage, degree, resumeAfter, rowsBefore, _options.MaxRows, width, outcomes.KeepsSourceCells, cancellationToken)
                : null;
            IRowBatcher batcher = parallel ?? (IRowBatcher)new RowBatcher(source, stage, resumeAfter, rowsBefore, _options.MaxRows, width, outcomes.KeepsSourceCells);
            var writer = new BatchWriter<TRecord>(
                sink,
                entity.Schema,
                request,
                [.. mapping.Columns.Select(c => c.Property.Name)],
                context.Logger,
                state.Id,
                resume?.PendingDecisions,
                resume?.PendingWritten ?? false,
                progress.SavesCheckpoints ? (decisions, token) => progress.PendingCommitAsync(decisions, outcomes.FlushAsync, token) : null);

            var runGate = countGate is null ? null : new RunCountGate(countGate, context.Time);
            await ImportRowsAsync(batcher, batch, spare, writer, outcomes, progress, runGate, cancellationToken).ConfigureAwait(false);
            progress.Finish(ImportJobStatus.Completed, null, request.DryRun);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress.Finish(ImportJobStatus.Cancelled, "The import was cancelled; rows written before it stay.", request.DryRun);
        }
        catch (Exception ex) when (run.ThrowsTransientErrors && Sinks.TransientErrors.IsTransient(ex))
        {
            // The job layer ends this attempt and keeps the job at its last checkpoint; the rows of the batch that met the
            // error are written by the next attempt (or, in the sink's transaction with the checkpoint, already were).
            throw;
        }
        catch (Exception ex) when (Failure(ex) is { } failure)
        {
            progress.Fail(failure);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
        {
            // The system's message names server paths and internals: it goes to the log, the user gets where to look.
            Diagnostics.Log.FileUnreadable(context.Logger, state.Id, ex);
            progress.Fail(new ImportProblem { Code = ImportProblemCodes.InvalidFile, Message = $"The file could not be read; the details are in the server log (job {state.Id})." });
        }
#pragma warning disable CA1031 // A job must end with a status and a message, never crash its host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // A sink's or a library's message (a database error, a reader's option check) means nothing to the user.
            Diagnostics.Log.ImportCrashed(context.Logger, state.Id, ex);
            var what = Sinks.TransientErrors.IsTransient(ex) ? "The import stopped: the database could not be reached; rows written before stay" : "The import stopped unexpectedly";
            progress.Fail(new ImportProblem { Code = ImportProblemCodes.Unexpected, Message = $"{what}; the details are in the server log (job {state.Id})." });
        }
        finally
        {
            if (sinkStarted)
            {
                await EndSinkRunAsync().ConfigureAwait(false);
            }

            await outcomes.DisposeAsync().ConfigureAwait(false);
            source?.Dispose();
            if (estimate is not null)
            {
                // A count still running in the background is no longer needed; it stops at once and never throws.
                await counting.CancelAsync().ConfigureAwait(false);
                await estimate.ConfigureAwait(false);
            }
        }

        if (degree == 1)
        {
            context.Batches.Return(batch.Rows);
            context.Batches.Return(spare.Rows);
        }

        return progress.Final();
    }

    /// <summary>Tells the sink the run ended; what it throws then is logged, as the run's outcome is already decided.</summary>
    private async Task EndSinkRunAsync()
    {
        try
        {
            await sink.RunEndedAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A sink failing to clean up must not turn a finished import into a crash.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Diagnostics.Log.SinkRunEndFailed(context.Logger, state.Id, ex);
        }
    }

    /// <summary>The job's failure for a problem DataImport described for the user, or <see langword="null"/> for any other.</summary>
    private static ImportProblem? Failure(Exception ex) => ex switch
    {
        ImportValidationException { Problems: [var single] } => single,
        ImportValidationException validation => new ImportProblem
        {
            Code = validation.Problems[0].Code,
            Field = validation.Problems[0].Field,
            Message = string.Join(" ", validation.Problems.Select(p => p.Message)),
        },
        ImportFileException file => file.Problem,
        ImportStoppedException => new ImportProblem { Code = ImportProblemCodes.Stopped, Message = ex.Message },
        InvalidDataException => new ImportProblem { Code = ImportProblemCodes.InvalidFile, Message = ex.Message },
        _ => null,
    };

    /// <summary>
    /// Fills batches and commits them in file order, the next batch filling while the previous one is written: a sink
    /// that waits on a database (a <c>COPY</c> the server is still inserting) then waits while the next rows are read and
    /// converted, not after. Commits stay one at a time and in order, so a batch still looks up its keys after every
    /// earlier batch is committed; filling touches only the reader, the converting stages and its own batch.
    /// </summary>
    /// <remarks>
    /// Whatever happens while a batch fills, the previous batch's commit is awaited first, and its failure is the one
    /// the run reports, as when nothing overlapped (that batch's failure would have stopped the run before this fill).
    /// The count gate, when given, decides when the progress count may read (<see cref="RunCountGate"/>).
    /// </remarks>
    private async Task ImportRowsAsync(IRowBatcher batcher, RowBatch batch, RowBatch spare, BatchWriter<TRecord> writer, ImportOutcomes outcomes, ImportProgress progress, RunCountGate? idle, CancellationToken cancellationToken)
    {
        Task? committing = null;
        try
        {
            while (true)
            {
                FillResult result;
                try
                {
                    result = batcher.Fill(batch, cancellationToken);
                }
                catch (Exception ex) when (ex is InvalidDataException or ImportFileException)
                {
                    // Rows read before the bad spot are still imported, whatever the batch size.
                    await AwaitCommitAsync(committing, idle).ConfigureAwait(false);
                    committing = null;
                    await CommitAsync(batch, writer, outcomes, progress, cancellationToken).ConfigureAwait(false);
                    throw;
                }

                await AwaitCommitAsync(committing, idle).ConfigureAwait(false);

                // A cancellation during the last write stops the run before the next, as when nothing overlapped.
                cancellationToken.ThrowIfCancellationRequested();
                committing = CommitAsync(batch, writer, outcomes, progress, cancellationToken);
                if (result != FillResult.BatchFull)
                {
                    await AwaitCommitAsync(committing, idle).ConfigureAwait(false);
                    committing = null;
                    if (result == FillResult.RowLimit)
                    {
                        throw new ImportStoppedException($"The file has more than {_options.MaxRows:N0} data rows, the limit; rows up to row {batcher.LastRowRead} were processed.");
                    }

                    break;
                }

                (batch, spare) = (spare, batch);
                idle?.OpenIfLong();
            }
        }
        finally
        {
            // A fill that threw leaves the previous commit running: it ends before the run does (and its own failure,
            // if any, is the one reported, thrown from here).
            await AwaitCommitAsync(committing, idle).ConfigureAwait(false);
        }

        progress.AllRowsRead(batcher.DataRows);
    }

    private static Task AwaitCommitAsync(Task? committing, RunCountGate? idle) =>
        committing is null ? Task.CompletedTask : idle is null ? committing : idle.AwaitCommitAsync(committing);

    /// <summary>Writes a batch, counts its outcomes, flushes the not-imported file, and hands on the checkpoint.</summary>
    private async Task CommitAsync(RowBatch batch, BatchWriter<TRecord> writer, ImportOutcomes outcomes, ImportProgress progress, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await writer.WriteAsync(batch.Rows, batch.Count, cancellationToken).ConfigureAwait(false);
        outcomes.Apply(batch.Rows, batch.Count);
        var lastRow = batch.LastRow;
        batch.Clear();
        var notImportedBytes = await outcomes.FlushAsync(cancellationToken).ConfigureAwait(false);
        await progress.CommittedAsync(lastRow, notImportedBytes, cancellationToken).ConfigureAwait(false);
        if (request.ErrorBudget is { } budget && state.Errors > budget)
        {
            throw new ImportStoppedException($"Stopped after {state.Errors} rows with errors, over the error budget of {budget}; rows up to row {lastRow} were processed and those without errors were imported.");
        }
    }
}

/// <summary>The job stopped early for a reason the user can act on (a limit or the error budget).</summary>
internal sealed class ImportStoppedException(string message) : Exception(message);

/// <summary>Starts the pipeline typed by the entity's record type, checking the sink writes that type.</summary>
internal sealed class PipelineLauncher(PipelineContext context, ImportRequest request, object sink, ImportRunOptions run, ImportJobState state, CancellationToken cancellationToken)
    : IImportEntityVisitor<Task<ImportJobDto>>
{
    public Task<ImportJobDto> Visit<TRecord>(ImportEntity<TRecord> entity)
        where TRecord : class
    {
        if (sink is not ImportSink<TRecord> typed)
        {
            throw new ImportValidationException([ImportProblem.Request("entity", ImportProblemCodes.SinkTypeMismatch, $"Entity '{entity.Schema.Name}' has records of type {typeof(TRecord).Name}; the sink given writes {sink.GetType().Name}. Use an ImportSink<{typeof(TRecord).Name}>.")]);
        }

        return new ImportPipeline<TRecord>(context, request, entity, typed, run, state).RunAsync(cancellationToken);
    }
}
