using DataImport.Diagnostics;
using DataImport.Validation;
using Microsoft.Extensions.Logging;

namespace DataImport.Pipeline;

/// <summary>
/// The matching and writing stage: looks up the keys of a batch's valid rows in the sink (one call per batch), decides
/// each row by the mode as if rows were processed one at a time in file order, and writes the creates and updates.
/// </summary>
/// <remarks>
/// When a batch write fails it is split in halves, and each half is decided again against the sink (so outcomes equal
/// a one-row-at-a-time run) until the failing rows stand alone; a lone failing row is an error naming the sink's reason.
/// A dry run writes nothing and remembers the keys it would have created, so later rows of the file match them.
/// <para>
/// Exactly once: with each write, the decisions that may reach the sink (those of earlier writes of the batch that
/// succeeded, and this write's) go to the sink as an <see cref="ImportJobCommit"/> (the last checkpoint with them),
/// which it saves before writing or, when it shares the job store's database, in its own transaction.
/// A run resumed from it takes those decisions as they were instead of asking a sink that may already hold the rows:
/// a row decided as created is counted as created, and written as an update if the sink has it (so the sink needs no
/// upsert). A write that fails drops the decisions it added, since it did not commit. One window stays approximate:
/// after a stop in the middle of a write that would fail, a later row whose key repeats a failing row's key keeps the
/// decision it had next to that row. Entities without a key cannot be matched, so a batch written just before a stop
/// is written again, unless the sink saved the checkpoint in its own transaction: then it is marked written
/// (<see cref="ImportJobCheckpoint.PendingWritten"/>) and the resumed run counts those rows without writing them.
/// </para>
/// </remarks>
internal sealed class BatchWriter<TRecord>
    where TRecord : class
{
    private static readonly IReadOnlySet<ImportKey> EmptyKeys = new HashSet<ImportKey>();

    private readonly ImportSink<TRecord> _sink;
    private readonly EntitySchema _schema;
    private readonly ImportMode _mode;
    private readonly bool _dryRun;
    private readonly HashSet<ImportKey>? _dryRunCreated;
    private readonly IReadOnlyList<string> _mappedNames;
    private readonly ILogger _logger;
    private readonly string _jobId;
    private readonly List<int> _candidates = [];

    // A batch's distinct keys and the keys it creates, kept across batches (cleared, not reallocated).
    private readonly HashSet<ImportKey> _keys = [];
    private readonly HashSet<ImportKey> _createdHere = [];
    private readonly Func<IReadOnlyList<ImportRowDecision>, CancellationToken, Task<ImportJobCommit?>>? _pendingCommit;

    // Decisions that may have reached the sink: from the resumed checkpoint, then from this batch's writes.
    private readonly Dictionary<int, RowOutcome> _decided = [];

    // Rows of the resumed checkpoint's decisions known to be in the sink (saved in its transaction): not written again.
    private readonly HashSet<int> _written = [];

    public BatchWriter(
        ImportSink<TRecord> sink,
        EntitySchema schema,
        ImportRequest request,
        IReadOnlyList<string> mappedNames,
        ILogger logger,
        string jobId,
        IReadOnlyList<ImportRowDecision>? replay = null,
        bool replayWritten = false,
        Func<IReadOnlyList<ImportRowDecision>, CancellationToken, Task<ImportJobCommit?>>? pendingCommit = null)
    {
        _pendingCommit = request.DryRun ? null : pendingCommit;
        foreach (var decision in replay ?? [])
        {
            _decided[decision.Row] = decision.Outcome;
            if (replayWritten)
            {
                _written.Add(decision.Row);
            }
        }

        _sink = sink;
        _schema = schema;
        _mode = request.Mode;
        _dryRun = request.DryRun;
        _dryRunCreated = request.DryRun && schema.HasKey ? [] : null;
        _mappedNames = mappedNames;
        _logger = logger;
        _jobId = jobId;
    }

    /// <summary>Decides and writes the rows of <paramref name="batch"/> that have no outcome yet (the valid ones).</summary>
    public async Task WriteAsync(PendingRow[] batch, int count, CancellationToken cancellationToken)
    {
        // Reused across batches: DecideAndWriteAsync only reads it, and splits work on copies.
        var candidates = _candidates;
        candidates.Clear();
        for (var i = 0; i < count; i++)
        {
            if (batch[i].Outcome is null)
            {
                candidates.Add(i);
            }
        }

        if (candidates.Count > 0)
        {
            await DecideAndWriteAsync(batch, candidates, cancellationToken).ConfigureAwait(false);
        }

        // The batch is decided; its checkpoint, saved next, supersedes the pending decisions.
        _decided.Clear();
        _written.Clear();
    }

    private async Task DecideAndWriteAsync(PendingRow[] batch, List<int> rows, CancellationToken cancellationToken)
    {
        var existing = EmptyKeys;
        if (_schema.HasKey)
        {
            var keys = _keys;
            keys.Clear();
            foreach (var i in rows)
            {
                keys.Add(batch[i].Key!);
            }

            existing = await _sink.FindExistingAsync([.. keys], cancellationToken).ConfigureAwait(false);
        }

        // A split (below) decides its halves after this call is done with the set, so one set serves every call.
        var createdHere = _schema.HasKey ? _createdHere : null;
        createdHere?.Clear();
        var decisions = new RowOutcome[rows.Count];
        var writes = new List<ImportWrite<TRecord>>(rows.Count);
        for (var n = 0; n < rows.Count; n++)
        {
            var row = batch[rows[n]];
            var key = row.Key;
            var exists = key is not null && (existing.Contains(key) || createdHere!.Contains(key) || (_dryRunCreated?.Contains(key) ?? false));
            ImportWriteKind? write;
            if (_decided.Count > 0 && _decided.TryGetValue(row.Row, out var decided))
            {
                // Decided before a stop: counted the same; written as whatever brings the sink to it.
                decisions[n] = decided;
                write = decided == RowOutcome.Skipped ? null : exists ? ImportWriteKind.Update : ImportWriteKind.Create;
                if (write is null)
                {
                    (row.RowReasonCode, row.RowReason) = ModeRules.SkipReason(_mode == ImportMode.CreateOnly, DescribeKey(key!));
                    continue;
                }

                if (decided == RowOutcome.Created && key is not null)
                {
                    createdHere?.Add(key);
                }

                if (_written.Count > 0 && _written.Contains(row.Row))
                {
                    // Committed with the checkpoint it was resumed from: counted, not written again.
                    continue;
                }

                writes.Add(new ImportWrite<TRecord> { Kind = write.Value, Record = (TRecord)row.Record!, Key = key, Row = row.Row, MappedProperties = _mappedNames });
                continue;
            }

            decisions[n] = ModeRules.Decide(_mode, exists, out write);
            if (write is not { } kind)
            {
                // A skip's reason goes on the row at once (a skip never changes when a failed write is split).
                (row.RowReasonCode, row.RowReason) = ModeRules.SkipReason(exists, DescribeKey(key!));
                continue;
            }

            if (kind == ImportWriteKind.Create && key is not null)
            {
                createdHere!.Add(key);
            }

            writes.Add(new ImportWrite<TRecord> { Kind = kind, Record = (TRecord)row.Record!, Key = key, Row = row.Row, MappedProperties = _mappedNames });
        }

        if (writes.Count > 0 && !_dryRun)
        {
            var (added, commit) = await PendingCommitAsync(batch, rows, decisions, cancellationToken).ConfigureAwait(false);
            try
            {
                // With a commit, the sink saves it first or in its own transaction (ImportSink.WriteAsync's overload).
                if (commit is null)
                {
                    await _sink.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _sink.WriteAsync(writes, commit, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when ((ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) && !Sinks.TransientErrors.IsTransient(ex))
            {
                // Not committed: the halves decide again, as a run one row at a time would. (The database out of reach
                // is no row's fault: that error ends the run, see ImportPipeline, and no row is blamed for it.)
                foreach (var row in added ?? [])
                {
                    _decided.Remove(row);
                }

                if (rows.Count == 1)
                {
                    var row = batch[rows[0]];
                    row.Outcome = RowOutcome.Error;
                    row.Problems.Add(new FieldProblem(ImportProblemCodes.NotSaved, null, null, NotSavedMessage(row.Row, ex)));
                    return;
                }

                Log.BatchSplit(_logger, _jobId, writes.Count, ex.Message);
                var half = rows.Count / 2;
                await DecideAndWriteAsync(batch, rows[..half], cancellationToken).ConfigureAwait(false);
                await DecideAndWriteAsync(batch, rows[half..], cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        if (_dryRunCreated is not null && createdHere is not null)
        {
            _dryRunCreated.UnionWith(createdHere);
        }

        for (var n = 0; n < rows.Count; n++)
        {
            var row = batch[rows[n]];
            row.Outcome = decisions[n];
        }
    }

    /// <summary>
    /// Records this write's decisions with those that may already be in the sink, and returns the rows it added and the
    /// commit that saves them (<see langword="null"/> outside a job).
    /// </summary>
    private async Task<(List<int>? Added, ImportJobCommit? Commit)> PendingCommitAsync(PendingRow[] batch, List<int> rows, RowOutcome[] decisions, CancellationToken cancellationToken)
    {
        if (_pendingCommit is null)
        {
            return (null, null);
        }

        var added = new List<int>();
        for (var n = 0; n < rows.Count; n++)
        {
            if (_decided.TryAdd(batch[rows[n]].Row, decisions[n]))
            {
                added.Add(batch[rows[n]].Row);
            }
        }

        var commit = await _pendingCommit([.. _decided.Select(d => new ImportRowDecision { Row = d.Key, Outcome = d.Value })], cancellationToken).ConfigureAwait(false);
        return (added, commit);
    }

    /// <summary>A sink's own reason when it refused the row for the user (<see cref="ImportRowRejectedException"/>); otherwise the log has it.</summary>
    private string NotSavedMessage(int row, Exception ex)
    {
        if (ex is ImportRowRejectedException)
        {
            return $"not saved: {ex.Message}";
        }

        Log.RowNotSaved(_logger, _jobId, row, ex);
        return $"not saved; the details are in the server log (job {_jobId})";
    }

    private string DescribeKey(ImportKey key) => string.Join(", ", _schema.Key.Select((p, i) => $"{p.Name} = {key[i]}"));
}
