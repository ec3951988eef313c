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

    public BatchWriter(ImportSink<TRecord> sink, EntitySchema schema, ImportRequest request, IReadOnlyList<string> mappedNames, ILogger logger, string jobId)
    {
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
    }

    private async Task DecideAndWriteAsync(PendingRow[] batch, List<int> rows, CancellationToken cancellationToken)
    {
        var existing = EmptyKeys;
        if (_schema.HasKey)
        {
            var keys = new HashSet<ImportKey>();
            foreach (var i in rows)
            {
                keys.Add(batch[i].Key!);
            }

            existing = await _sink.FindExistingAsync([.. keys], cancellationToken).ConfigureAwait(false);
        }

        var createdHere = _schema.HasKey ? new HashSet<ImportKey>() : null;
        var decisions = new RowOutcome[rows.Count];
        var reasons = new (string Code, string Message)?[rows.Count];
        var writes = new List<ImportWrite<TRecord>>(rows.Count);
        for (var n = 0; n < rows.Count; n++)
        {
            var row = batch[rows[n]];
            var key = row.Key;
            var exists = key is not null && (existing.Contains(key) || createdHere!.Contains(key) || (_dryRunCreated?.Contains(key) ?? false));
            decisions[n] = ModeRules.Decide(_mode, exists, out var write);
            if (write is not { } kind)
            {
                reasons[n] = ModeRules.SkipReason(exists, DescribeKey(key!));
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
            try
            {
                await _sink.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (rows.Count == 1)
                {
                    var row = batch[rows[0]];
                    row.Outcome = RowOutcome.Error;
                    row.Problems.Add(new FieldProblem(ImportProblemCodes.NotSaved, null, null, $"not saved: {ex.Message}"));
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
            row.RowReasonCode = reasons[n]?.Code;
            row.RowReason = reasons[n]?.Message;
        }
    }

    private string DescribeKey(ImportKey key) => string.Join(", ", _schema.Key.Select((p, i) => $"{p.Name} = {key[i]}"));
}
