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

        using var command = _dataSource.CreateCommand(_findSql);
        command.Parameters.Add(new NpgsqlParameter { Value = _domain, NpgsqlDbType = NpgsqlDbType.Text });
        for (var k = 0; k < _table.KeyColumns.Count; k++)
        {
            var position = k;
            command.Parameters.Add(ColumnArrays.Parameter(_table.KeyColumns[k], keys.Count, i => keys[i][position]));
        }

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
        var planned = RecordBatch.Plan(_table, batch);
        try
        {
            await WriteInTransactionAsync(planned, commit, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error)
        {
            // Rolled back: the engine splits the batch to find the row; a reason about the row's data is shown to the user.
            var rejected = await RowRejection.DescribeAsync(error, _table, planned, _dataSource, cancellationToken).ConfigureAwait(false);
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
    private async Task WriteInTransactionAsync(RecordBatch batch, ImportJobCommit? commit, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // One COPY is atomic on its own: the usual batch (creates only, outside a job) saves the BEGIN and COMMIT round trips.
        if (commit is null && batch.Updates.Count == 0 && batch.Creates.Count == 1)
        {
            await CopyAsync(connection, batch.Creates[0], cancellationToken).ConfigureAwait(false);
            return;
        }

        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        foreach (var group in batch.Creates)
        {
            await CopyAsync(connection, group, cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in batch.Updates)
        {
            await UpdateAsync(connection, group, cancellationToken).ConfigureAwait(false);
        }

        if (commit is not null)
        {
            await commit.SaveAsync(transaction, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task CopyAsync(NpgsqlConnection connection, RowGroup group, CancellationToken cancellationToken)
    {
        var columns = group.Columns.Indexes.Select(i => _table.Columns[i]).ToArray();
        var keyPositions = columns.Select(c => IndexOfKey(c)).ToArray();
        var copy = $"COPY {_table.Name} ({Sql.Quote(RecordTable.DomainColumn)}{string.Concat(columns.Select(c => ", " + c.Name))}) FROM STDIN (FORMAT BINARY)";
        var values = new object?[_table.Columns.Count];
        var present = new bool[_table.Columns.Count];
        var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken).ConfigureAwait(false);
        await using var importerScope = importer.ConfigureAwait(false);
        foreach (var row in group.Rows)
        {
            row.ReadInto(_table.Columns, values, present);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(_domain, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            for (var c = 0; c < columns.Length; c++)
            {
                var index = columns[c].Index;
                var value = present[index] ? values[index] : keyPositions[c] >= 0 ? row.Key?[keyPositions[c]] : null;
                if (value is not null)
                {
                    await WriteValueAsync(importer, columns[c], value, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a value as its column's type, unboxed (no per-value type lookup in Npgsql).</summary>
    private static Task WriteValueAsync(NpgsqlBinaryImporter importer, RecordColumn column, object value, CancellationToken cancellationToken) => column.Property.Type switch
    {
        PropertyType.String or PropertyType.Enum => importer.WriteAsync(value as string ?? (string)column.ToDatabase(value), NpgsqlDbType.Text, cancellationToken),
        PropertyType.Int => importer.WriteAsync(value is int i ? i : (int)column.ToDatabase(value), NpgsqlDbType.Integer, cancellationToken),
        PropertyType.Long => importer.WriteAsync(value is long l ? l : (long)column.ToDatabase(value), NpgsqlDbType.Bigint, cancellationToken),
        PropertyType.Decimal => importer.WriteAsync(value is decimal d ? d : (decimal)column.ToDatabase(value), NpgsqlDbType.Numeric, cancellationToken),
        PropertyType.Double => importer.WriteAsync(value is double f ? f : (double)column.ToDatabase(value), NpgsqlDbType.Double, cancellationToken),
        PropertyType.Bool => importer.WriteAsync(value is bool b ? b : (bool)column.ToDatabase(value), NpgsqlDbType.Boolean, cancellationToken),
        PropertyType.Date => importer.WriteAsync(value is DateOnly date ? date : (DateOnly)column.ToDatabase(value), NpgsqlDbType.Date, cancellationToken),
        PropertyType.DateTime => importer.WriteAsync((DateTime)column.ToDatabase(value), NpgsqlDbType.TimestampTz, cancellationToken),
        PropertyType.Time => importer.WriteAsync(value is TimeOnly time ? time : (TimeOnly)column.ToDatabase(value), NpgsqlDbType.Time, cancellationToken),
        PropertyType.Guid => importer.WriteAsync(value is Guid guid ? guid : (Guid)column.ToDatabase(value), NpgsqlDbType.Uuid, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Property.Type, null),
    };

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

    private static string FindSql(RecordTable table)
    {
        var domain = Sql.Quote(RecordTable.DomainColumn);
        if (table.KeyColumns.Count == 0)
        {
            return string.Empty;
        }

        if (table.KeyColumns.Count == 1)
        {
            var key = table.KeyColumns[0].Name;
            return $"SELECT {key} FROM {table.Name} WHERE {domain} = $1 AND {key} = ANY($2)";
        }

        var sql = new StringBuilder("SELECT ");
        sql.AppendJoin(", ", table.KeyColumns.Select(k => "t." + k.Name));
        sql.Append(" FROM ").Append(table.Name).Append(" AS t JOIN unnest(");
        sql.AppendJoin(", ", table.KeyColumns.Select((_, k) => $"${k + 2}"));
        sql.Append(") AS u(").AppendJoin(", ", table.KeyColumns.Select((_, k) => $"k{k}")).Append(") ON ");
        sql.AppendJoin(" AND ", table.KeyColumns.Select((c, k) => $"t.{c.Name} = u.k{k}"));
        sql.Append(" WHERE t.").Append(domain).Append(" = $1");
        return sql.ToString();
    }
}
