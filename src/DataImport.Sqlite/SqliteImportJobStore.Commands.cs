using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DataImport.Sqlite;

// Connections, transactions, commands and the row reader of the store.
public sealed partial class SqliteImportJobStore
{
    private static ImportJobLeaseState LeaseState(object? cancelRequested) =>
        cancelRequested is null ? ImportJobLeaseState.Lost : new ImportJobLeaseState(true, Convert.ToInt64(cancelRequested, CultureInfo.InvariantCulture) != 0);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, Action<SqliteParameterCollection> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        parameters(command.Parameters);
        return command;
    }

    private static StoredImportJob Read(DbDataReader reader)
    {
        var job = ImportJobRowFormat.ReadJob(reader.GetString(1));
        var status = (ImportJobStatus)reader.GetInt32(9);
        DateTimeOffset? heartbeat = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6));
        return new StoredImportJob
        {
            Job = job with { Status = status, LastHeartbeat = heartbeat ?? job.LastHeartbeat },
            UploadFileId = reader.GetString(2),
            Checkpoint = reader.IsDBNull(3) ? null : ImportJobRowFormat.ReadCheckpoint(reader.GetString(3)),
            WorkerId = reader.IsDBNull(4) ? null : reader.GetString(4),
            LeaseExpires = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            CancellationRequested = reader.GetInt32(7) != 0,
            Attempts = reader.GetInt32(8),
        };
    }

    private static Task<IReadOnlyList<StoredImportJob>> ReadJobsAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, Action<SqliteParameterCollection> parameters, CancellationToken cancellationToken) =>
        ReadAllAsync(connection, transaction, sql, parameters, Read, cancellationToken);

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Action<SqliteParameterCollection> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var rows = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }

                return rows;
            }
        }
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, Action<SqliteParameterCollection> parameters, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, Action<SqliteParameterCollection> parameters, CancellationToken cancellationToken)
    {
        var command = Command(connection, transaction, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<IReadOnlyList<StoredImportJob>> QueryAsync(string sql, Action<SqliteParameterCollection> parameters, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadJobsAsync(connection, null, sql, parameters, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // BEGIN IMMEDIATE takes the write lock first, so a read-then-write never races another process's writer.
            // Callers serialize documents before it, so the lock is held for the statements only.
            var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var result = await write(connection, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = Command(connection, null, _busyTimeout, _ => { });
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_initialized)
            {
                Initialize(connection);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Initialize(SqliteConnection connection)
    {
        // Once per store, before its first call: cheap enough to do synchronously under a lock.
        lock (_initGate)
        {
            if (_initialized)
            {
                return;
            }

            SqliteJobSchema.Migrate(connection);
            _initialized = true;
        }
    }
}
