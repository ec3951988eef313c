using Npgsql;

namespace DataImport.PostgreSql;

// Commands on pooled connections and the row reader of the store.
public sealed partial class PostgreSqlImportJobStore
{
    private static StoredImportJob Read(NpgsqlDataReader reader)
    {
        var job = ImportJobRowFormat.ReadJob(reader.GetString(1));
        var status = (ImportJobStatus)reader.GetInt32(9);
        DateTimeOffset? heartbeat = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6);
        return new StoredImportJob
        {
            Job = job with { Status = status, LastHeartbeat = heartbeat ?? job.LastHeartbeat },
            UploadFileId = reader.GetString(2),
            Checkpoint = reader.IsDBNull(3) ? null : ImportJobRowFormat.ReadCheckpoint(reader.GetString(3)),
            WorkerId = reader.IsDBNull(4) ? null : reader.GetString(4),
            LeaseExpires = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            CancellationRequested = reader.GetBoolean(7),
            Attempts = reader.GetInt32(8),
        };
    }

    private static async Task<IReadOnlyList<StoredImportJob>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var rows = new List<StoredImportJob>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Read(reader));
            }

            return rows;
        }
    }

    private async Task<IReadOnlyList<StoredImportJob>> QueryAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var command = Database.DataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddRange(parameters);
            return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var command = Database.DataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddRange(parameters);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var command = Database.DataSource.CreateCommand(sql);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddRange(parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
