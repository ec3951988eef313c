using System.Text;
using Microsoft.Data.Sqlite;

namespace DataImport.Samples.Storage;

/// <summary>Writes one domain's records of one entity to its SQLite table; each batch is one transaction (atomic).</summary>
internal sealed class SqliteRecordSink : ImportSink<ImportRecord>
{
    private readonly SqliteRecordStore _store;
    private readonly EntitySchema _entity;
    private readonly string _domain;

    public SqliteRecordSink(SqliteRecordStore store, EntitySchema entity, string domain)
    {
        _store = store;
        _entity = entity;
        _domain = domain;
    }

    public override async ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
    {
        var found = new HashSet<ImportKey>();
        if (keys.Count == 0)
        {
            return found;
        }

        await using var connection = await _store.OpenAsync(_entity, cancellationToken).ConfigureAwait(false);
        // Chunks keep the statement under SQLite's parameter limit.
        foreach (var chunk in keys.Chunk(400))
        {
            await using var command = connection.CreateCommand();
            var where = new StringBuilder();
            var p = 0;
            foreach (var key in chunk)
            {
                where.Append(where.Length == 0 ? "(" : " OR (");
                for (var i = 0; i < _entity.Key.Count; i++)
                {
                    var name = $"$k{p++}";
                    where.Append(i == 0 ? string.Empty : " AND ").Append(SqliteRecordStore.Quote(_entity.Key[i].Name)).Append(" = ").Append(name);
                    command.Parameters.AddWithValue(name, SqliteRecordStore.ToColumn(key[i]));
                }

                where.Append(')');
            }

            command.CommandText = $"SELECT {string.Join(", ", _entity.Key.Select(k => SqliteRecordStore.Quote(k.Name)))} FROM {SqliteRecordStore.Table(_entity)} WHERE _domain = $d AND ({where})";
            command.Parameters.AddWithValue("$d", _domain);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var byText = chunk.ToDictionary(k => string.Join("\u001f", k.Values.Select(v => Convert.ToString(SqliteRecordStore.ToColumn(v), System.Globalization.CultureInfo.InvariantCulture))), k => k);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var text = string.Join("\u001f", Enumerable.Range(0, _entity.Key.Count).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)));
                if (byText.TryGetValue(text, out var key))
                {
                    found.Add(key);
                }
            }
        }

        return found;
    }

    public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<ImportRecord>> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _store.OpenAsync(_entity, cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var write in batch)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var present = _entity.Properties.Where(p => write.Record.ContainsKey(p.Name)).ToList();
            for (var i = 0; i < present.Count; i++)
            {
                command.Parameters.AddWithValue($"$p{i}", SqliteRecordStore.ToColumn(write.Record[present[i].Name]));
            }

            command.Parameters.AddWithValue("$d", _domain);
            if (write.Kind == ImportWriteKind.Create)
            {
                command.CommandText = $"INSERT INTO {SqliteRecordStore.Table(_entity)} (_domain{string.Concat(present.Select(p => ", " + SqliteRecordStore.Quote(p.Name)))}) VALUES ($d{string.Concat(present.Select((_, i) => $", $p{i}"))})";
            }
            else
            {
                var keyWhere = string.Join(" AND ", _entity.Key.Select((k, i) => $"{SqliteRecordStore.Quote(k.Name)} = $k{i}"));
                for (var i = 0; i < _entity.Key.Count; i++)
                {
                    command.Parameters.AddWithValue($"$k{i}", SqliteRecordStore.ToColumn(write.Key![i]));
                }

                command.CommandText = $"UPDATE {SqliteRecordStore.Table(_entity)} SET {string.Join(", ", present.Select((p, i) => $"{SqliteRecordStore.Quote(p.Name)} = $p{i}"))} WHERE _domain = $d AND {keyWhere}";
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
