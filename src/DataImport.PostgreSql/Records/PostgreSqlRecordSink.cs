using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace DataImport.PostgreSql;

/// <summary>
/// Writes one domain's records of one entity to its PostgreSQL table. A batch is one transaction: its creates go
/// through one binary <c>COPY</c>, its updates through one <c>UPDATE … FROM unnest(…)</c> setting only the mapped
/// columns, and its keys are looked up with one query.
/// </summary>
internal sealed class PostgreSqlRecordSink : ImportSink<ImportRecord>
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly RecordTable _table;
    private readonly string _domain;
    private readonly string _findSql;
    private readonly bool _checkpointInTransaction;
    private readonly bool _coarseKey;

    // Engine runs under way with this sink (RunStartingAsync .. RunEndedAsync): only then is a COPY started ahead.
    private int _runs;

    // The COPY started for the next batch while the server finished the last one (see PrepareNext), or null.
    private Task<PreparedCopy?>? _next;

    /// <param name="dataSource">The database of the records.</param>
    /// <param name="table">The entity's table.</param>
    /// <param name="domain">The tenant ('' for none).</param>
    /// <param name="checkpointInTransaction">Whether the job store lives in the same database, so a job's checkpoint commits in the batch's transaction.</param>
    public PostgreSqlRecordSink(NpgsqlDataSource dataSource, RecordTable table, string domain, bool checkpointInTransaction)
    {
        _dataSource = dataSource;
        _table = table;
        _domain = domain;
        _checkpointInTransaction = checkpointInTransaction;
        _findSql = FindSql(table);
        _coarseKey = table.KeyColumns.Any(k => k.StoresCoarser);
    }

    /// <inheritdoc />
    public override async ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new HashSet<ImportKey>();
        if (keys.Count == 0 || _table.KeyColumns.Count == 0)
        {
            return found;
        }

        await _table.EnsureCreatedAsync(_dataSource, cancellationToken).ConfigureAwait(false);

        // The rows come back as stored; each is matched to the caller's own key instance.
        var wanted = new Dictionary<ImportKey, ImportKey>(keys.Count);
        foreach (var key in keys)
        {
            wanted.TryAdd(_coarseKey ? AsStored(key) : key, key);
        }

        using var command = FindCommand(keys);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var values = new object?[_table.KeyColumns.Count];
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var k = 0; k < values.Length; k++)
            {
                values[k] = _table.KeyColumns[k].FromDatabase(reader, k);
            }

            if (wanted.TryGetValue(new ImportKey([.. values]), out var key))
            {
                found.Add(key);
            }
        }

        return found;
    }

    /// <inheritdoc />
    public override ValueTask RunStartingAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Cancels the <c>COPY</c> started for a batch that did not come, which frees its connection and table lock.</remarks>
    public override async ValueTask RunEndedAsync()
    {
        if (Interlocked.Decrement(ref _runs) == 0 && Interlocked.Exchange(ref _next, null) is { } next)
        {
            await DropAsync(await next.ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    /// <summary>The key lookup of <see cref="FindExistingAsync"/> for <paramref name="keys"/> (tests read its plan).</summary>
    internal NpgsqlCommand FindCommand(IReadOnlyList<ImportKey> keys)
    {
        var command = _dataSource.CreateCommand(_findSql);
        command.Parameters.Add(new NpgsqlParameter { Value = _domain, NpgsqlDbType = NpgsqlDbType.Text });
        for (var k = 0; k < _table.KeyColumns.Count; k++)
        {
            var position = k;
            command.Parameters.Add(ColumnArrays.Parameter(_table.KeyColumns[k], keys.Count, i => keys[i][position]));
        }

        return command;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, CancellationToken cancellationToken) =>
        WriteBatchAsync(batch, commit: null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// When the job store is in this database (<c>UsePostgreSql</c> on the same database), the checkpoint is saved in the
    /// batch's transaction: the rows and the checkpoint commit together, and a worker that lost the job cannot commit.
    /// Otherwise the checkpoint is saved through the job store first, as for any sink.
    /// </remarks>
    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, ImportJobCommit commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commit);
        return _checkpointInTransaction ? WriteBatchAsync(batch, commit, cancellationToken) : base.WriteAsync(batch, commit, cancellationToken);
    }

    private async ValueTask WriteBatchAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, ImportJobCommit? commit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0 && commit is null)
        {
            return;
        }

        await _table.EnsureCreatedAsync(_dataSource, cancellationToken).ConfigureAwait(false);

        // The usual batch, creates that all set the same columns, goes to COPY as it came: nothing to fold first.
        var creates = RecordBatch.CreatesOnly(_table, batch);
        var planned = creates is null ? RecordBatch.Plan(_table, batch) : null;
        try
        {
            await WriteInTransactionAsync(planned, creates, batch, commit, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error)
        {
            // Rolled back: the engine splits the batch to find the row; a reason about the row's data is shown to the user.
            var rejected = await RowRejection.DescribeAsync(error, _table, planned ?? RecordBatch.Plan(_table, batch), _dataSource, cancellationToken).ConfigureAwait(false);
            if (rejected is null)
            {
                throw;
            }

            throw rejected;
        }
    }

    /// <summary>
    /// The batch's one transaction: the creates, then the updates, then the job's checkpoint when there is one, then the
    /// commit. A checkpoint save that finds the job taken over throws, and the transaction rolls back with the rows.
    /// </summary>
    /// <param name="batch">The folded batch, or <see langword="null"/> when every write is a create of <paramref name="creates"/>.</param>
    /// <param name="creates">The columns of a batch of creates only, written as they came, or <see langword="null"/>.</param>
    /// <param name="writes">The writes as the engine gave them.</param>
    /// <param name="commit">The job's checkpoint to save in the transaction, if any.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    private async Task WriteInTransactionAsync(RecordBatch? batch, ColumnSet? creates, IReadOnlyList<ImportWrite<ImportRecord>> writes, ImportJobCommit? commit, CancellationToken cancellationToken)
    {
        // A batch like the last one finds its COPY started already (on a connection of its own, in a transaction of
        // its own when there is a checkpoint to save with it).
        var prepared = await TakePreparedAsync(creates, commit is not null).ConfigureAwait(false);
        var connection = prepared?.Connection ?? await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // One COPY is atomic on its own: the usual batch (creates only, outside a job) saves the BEGIN and COMMIT round trips.
        if (commit is null && creates is not null)
        {
            await CopyAsync(connection, creates, writes, null, prepared?.Stream, false, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (commit is null && batch!.Updates.Count == 0 && batch.Creates.Count == 1)
        {
            await CopyAsync(connection, batch.Creates[0].Columns, null, batch.Creates[0].Rows, null, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var transaction = prepared?.Transaction ?? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        if (creates is not null)
        {
            await CopyAsync(connection, creates, writes, null, prepared?.Stream, true, cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in batch?.Creates ?? [])
        {
            await CopyAsync(connection, group.Columns, null, group.Rows, null, null, cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in batch?.Updates ?? [])
        {
            await UpdateAsync(connection, group, cancellationToken).ConfigureAwait(false);
        }

        if (commit is not null)
        {
            await commit.SaveAsync(transaction, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes creates that set the same columns with one binary <c>COPY</c>, encoded by <see cref="BinaryCopyWriter"/>: the
    /// engine's writes as they came, or a folded batch's rows. A failure while writing cancels the <c>COPY</c> (nothing of
    /// it stays); the server's refusal of a row comes when it ends.
    /// </summary>
    /// <remarks>
    /// During an engine run, once the engine's writes are sent, the <c>COPY</c> of the next batch is started on another
    /// connection while the server inserts these rows (<see cref="PrepareNext"/>): a batch otherwise leaves the server idle
    /// for the round trips that start it.
    /// </remarks>
    private async Task CopyAsync(NpgsqlConnection connection, ColumnSet columnSet, IReadOnlyList<ImportWrite<ImportRecord>>? writes, List<PlannedRow>? rows, NpgsqlRawCopyStream? started, bool? nextInTransaction, CancellationToken cancellationToken)
    {
        var columns = columnSet.Indexes.Select(i => _table.Columns[i]).ToArray();
        var keyPositions = columns.Select(c => IndexOfKey(c)).ToArray();
        var copy = CopySql(columnSet);
        var values = new object?[_table.Columns.Count];
        var present = new bool[_table.Columns.Count];
        using var writer = new BinaryCopyWriter();
        var stream = started ?? await connection.BeginRawBinaryCopyAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var streamScope = stream.ConfigureAwait(false);
        try
        {
            writer.WriteHeader();
            var count = writes?.Count ?? rows!.Count;
            for (var r = 0; r < count; r++)
            {
                var (record, key) = writes is not null ? (writes[r].Record, writes[r].Key) : (rows![r].Record, rows[r].Key);
                PlannedRow.ReadInto(record, _table.Columns, values, present);
                writer.StartRow(1 + columns.Length);
                writer.WriteText(_domain);
                for (var c = 0; c < columns.Length; c++)
                {
                    var index = columns[c].Index;
                    var value = present[index] ? values[index] : keyPositions[c] >= 0 ? key?[keyPositions[c]] : null;
                    if (value is not null)
                    {
                        WriteValue(writer, columns[c], value);
                    }
                    else
                    {
                        writer.WriteNull();
                    }
                }

                if (writer.ShouldFlush)
                {
                    await writer.FlushAsync(stream, cancellationToken).ConfigureAwait(false);
                }
            }

            writer.WriteTrailer();
            await writer.FlushAsync(stream, cancellationToken).ConfigureAwait(false);
            if (nextInTransaction is { } inTransaction)
            {
                PrepareNext(copy, inTransaction);
            }
        }
        catch
        {
            await stream.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string CopySql(ColumnSet columns) =>
        $"COPY {_table.Name} ({Sql.Quote(RecordTable.DomainColumn)}{string.Concat(columns.Indexes.Select(i => ", " + _table.Columns[i].Name))}) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// Starts, without waiting for it, the <c>COPY</c> of the batch expected next (the same columns, in a transaction when
    /// this one is), on a connection of its own, while the server inserts the rows just sent. Only during an engine run,
    /// whose end (<see cref="RunEndedAsync"/>) cancels a <c>COPY</c> no batch took.
    /// </summary>
    private void PrepareNext(string copy, bool inTransaction)
    {
        if (Volatile.Read(ref _runs) > 0 && Interlocked.Exchange(ref _next, PrepareAsync(copy, inTransaction)) is { } unused)
        {
            _ = DropAsync(unused);
        }
    }

    /// <summary>Opens a connection and starts a <c>COPY</c> on it; <see langword="null"/> when that fails (the batch then opens its own and meets the error itself).</summary>
    private async Task<PreparedCopy?> PrepareAsync(string copy, bool inTransaction)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
            var transaction = inTransaction ? await connection.BeginTransactionAsync().ConfigureAwait(false) : null;
            var stream = await connection.BeginRawBinaryCopyAsync(copy).ConfigureAwait(false);
            return new PreparedCopy(connection, transaction, stream, copy);
        }
#pragma warning disable CA1031 // Started ahead on speculation: a failure here is the next batch's to meet, on its own connection.
        catch (Exception)
#pragma warning restore CA1031
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            return null;
        }
    }

    /// <summary>The <c>COPY</c> started for this batch, when one was and it fits (same columns, same transaction mode); any other is cancelled.</summary>
    private async Task<PreparedCopy?> TakePreparedAsync(ColumnSet? creates, bool inTransaction)
    {
        if (Interlocked.Exchange(ref _next, null) is not { } next || await next.ConfigureAwait(false) is not { } prepared)
        {
            return null;
        }

        if (creates is not null && prepared.InTransaction == inTransaction && prepared.Copy == CopySql(creates))
        {
            return prepared;
        }

        await DropAsync(prepared).ConfigureAwait(false);
        return null;
    }

    private static async Task DropAsync(Task<PreparedCopy?> next) => await DropAsync(await next.ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>Cancels a <c>COPY</c> no batch took (nothing of it was written) and closes its connection.</summary>
    private static async Task DropAsync(PreparedCopy? prepared)
    {
        if (prepared is null)
        {
            return;
        }

        try
        {
            await prepared.Stream.CancelAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The connection is closed next either way; a broken one is discarded by the pool.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            if (prepared.Transaction is not null)
            {
                await prepared.Transaction.DisposeAsync().ConfigureAwait(false);
            }

            await prepared.Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes a value as its column's type (a host's near type converted by <see cref="RecordColumn.ToDatabase"/>).</summary>
    private static void WriteValue(BinaryCopyWriter writer, RecordColumn column, object value)
    {
        switch (column.Property.Type)
        {
            case PropertyType.String or PropertyType.Enum:
                writer.WriteText(value as string ?? (string)column.ToDatabase(value));
                break;
            case PropertyType.Int:
                writer.WriteInt32(value is int i ? i : (int)column.ToDatabase(value));
                break;
            case PropertyType.Long:
                writer.WriteInt64(value is long l ? l : (long)column.ToDatabase(value));
                break;
            case PropertyType.Decimal:
                writer.WriteNumeric(value is decimal d ? d : (decimal)column.ToDatabase(value));
                break;
            case PropertyType.Double:
                writer.WriteDouble(value is double f ? f : (double)column.ToDatabase(value));
                break;
            case PropertyType.Bool:
                writer.WriteBoolean(value is bool b ? b : (bool)column.ToDatabase(value));
                break;
            case PropertyType.Date:
                writer.WriteDate(value is DateOnly date ? date : (DateOnly)column.ToDatabase(value));
                break;
            case PropertyType.DateTime:
                writer.WriteTimestamp((DateTime)column.ToDatabase(value));
                break;
            case PropertyType.Time:
                writer.WriteTime(value is TimeOnly time ? time : (TimeOnly)column.ToDatabase(value));
                break;
            case PropertyType.Guid:
                writer.WriteUuid(value is Guid guid ? guid : (Guid)column.ToDatabase(value));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(column), column.Property.Type, null);
        }
    }

    private async Task UpdateAsync(NpgsqlConnection connection, RowGroup group, CancellationToken cancellationToken)
    {
        // Key columns identify the row; they are never changed.
        var set = group.Columns.Indexes.Select(i => _table.Columns[i]).Where(c => !c.IsKey).ToArray();
        if (set.Length == 0)
        {
            return;
        }

        var rows = group.Rows;
        var sql = new StringBuilder("UPDATE ").Append(_table.Name).Append(" AS t SET ");
        sql.AppendJoin(", ", set.Select((c, i) => $"{c.Name} = u.c{i}"));
        sql.Append(" FROM unnest(");
        sql.AppendJoin(", ", Enumerable.Range(2, _table.KeyColumns.Count + set.Length).Select(p => $"${p}"));
        sql.Append(") AS u(");
        sql.AppendJoin(", ", _table.KeyColumns.Select((_, k) => $"k{k}").Concat(set.Select((_, i) => $"c{i}")));
        sql.Append(") WHERE t.").Append(Sql.Quote(RecordTable.DomainColumn)).Append(" = $1");
        for (var k = 0; k < _table.KeyColumns.Count; k++)
        {
            sql.Append(" AND t.").Append(_table.KeyColumns[k].Name).Append(" = u.k").Append(k);
        }

        using var command = new NpgsqlCommand(sql.ToString(), connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _domain, NpgsqlDbType = NpgsqlDbType.Text });
        for (var k = 0; k < _table.KeyColumns.Count; k++)
        {
            var position = k;
            command.Parameters.Add(ColumnArrays.Parameter(_table.KeyColumns[k], rows.Count, i => rows[i].Key![position]));
        }

        foreach (var column in set)
        {
            command.Parameters.Add(ColumnArrays.Parameter(column, rows.Count, i => rows[i].ValueOf(column, -1)));
        }

        var updated = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (updated != rows.Count)
        {
            // The engine found these keys a moment ago: another process deleted a record since.
            throw new ImportRowRejectedException(rows.Count == 1
                ? "the record to update no longer exists; it was deleted during the import"
                : $"{rows.Count - updated} of {rows.Count} records to update no longer exist");
        }
    }

    private ImportKey AsStored(ImportKey key)
    {
        var values = new object?[_table.KeyColumns.Count];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = key[k] is { } value ? _table.KeyColumns[k].AsStored(value) : null;
        }

        return new ImportKey(values);
    }

    private int IndexOfKey(RecordColumn column)
    {
        for (var k = 0; k < _table.KeyColumns.Count; k++)
        {
            if (ReferenceEquals(_table.KeyColumns[k], column))
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>
    /// The key lookup: for each key of the batch, one probe of the primary key <c>(_domain, key…)</c>. The probe is a
    /// lateral subquery with <c>LIMIT 1</c>, so the planner cannot turn it into a join or a filter over the domain:
    /// with statistics taken when the table was small (a first import into a new table, before autovacuum analyses
    /// it), <c>_domain = $1 AND key = ANY($2)</c> was planned as a scan of every row of the domain through the
    /// <c>(_domain, _id)</c> index, one scan per batch, and a 1M-row keyed import took 72 s instead of 5.
    /// </summary>
    private static string FindSql(RecordTable table)
    {
        if (table.KeyColumns.Count == 0)
        {
            return string.Empty;
        }

        var sql = new StringBuilder("SELECT ");
        sql.AppendJoin(", ", table.KeyColumns.Select((_, k) => $"t.k{k}"));
        sql.Append(" FROM unnest(");
        sql.AppendJoin(", ", table.KeyColumns.Select((_, k) => $"${k + 2}"));
        sql.Append(") AS u(").AppendJoin(", ", table.KeyColumns.Select((_, k) => $"k{k}")).Append(") CROSS JOIN LATERAL (SELECT ");
        sql.AppendJoin(", ", table.KeyColumns.Select((c, k) => $"{c.Name} AS k{k}"));
        sql.Append(" FROM ").Append(table.Name).Append(" WHERE ").Append(Sql.Quote(RecordTable.DomainColumn)).Append(" = $1");
        for (var k = 0; k < table.KeyColumns.Count; k++)
        {
            sql.Append(" AND ").Append(table.KeyColumns[k].Name).Append(" = u.k").Append(k);
        }

        sql.Append(" LIMIT 1) AS t");
        return sql.ToString();
    }
}

/// <summary>A <c>COPY</c> started ahead for the next batch: its connection, its transaction if any, its stream and statement.</summary>
internal sealed record PreparedCopy(NpgsqlConnection Connection, NpgsqlTransaction? Transaction, NpgsqlRawCopyStream Stream, string Copy)
{
    public bool InTransaction => Transaction is not null;
}
