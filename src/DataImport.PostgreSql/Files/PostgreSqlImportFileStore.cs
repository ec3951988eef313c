using System.Buffers;
using Npgsql;
using NpgsqlTypes;

namespace DataImport.PostgreSql;

/// <summary>
/// A file store in PostgreSQL, beside the job store: uploads and not-imported files are rows of up to 1 MiB each
/// (<c>import_file_chunks</c>), streamed in and out a chunk at a time, never held whole in memory. Register it with
/// <c>UsePostgreSql</c> (files go to the database by default).
/// </summary>
/// <remarks>
/// An upload is stored in one transaction, so a file that grows past the limit, or a copy that fails, leaves nothing;
/// the next chunk is read from the upload while the previous one is sent, so it holds two chunks at most.
/// Reading loads one chunk at a time, on demand, and seeks freely. A not-imported file is written at its end: each full
/// chunk, and each flush, commits the new bytes and the file's new length together, so a flush makes the bytes durable
/// (the engine flushes before every checkpoint), and a resumed run cuts the file back to its checkpoint's length. A
/// writer appends only where its length says the file ends, so a worker that lost its job can no longer change the file.
/// File ids are the store's own (<c>{job id}.upload</c>, <c>{job id}.not-imported.csv</c>); names from users never
/// become ids.
/// </remarks>
public sealed class PostgreSqlImportFileStore : ImportFileStore
{
    /// <summary>The size of a chunk: big enough that a row costs little per byte, small enough to hold one in memory.</summary>
    internal const int DefaultChunkSize = 1024 * 1024;

    private readonly int _chunkSize;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlImportFileStore"/> class.</summary>
    /// <param name="dataSource">The data source of the shared database; the caller keeps it and disposes it.</param>
    /// <param name="schemaName">The schema the tables live in; created when missing. The default is <c>dataimport</c>.</param>
    /// <exception cref="ArgumentException">The schema name is not valid (see <see cref="PostgreSqlImportOptions.SchemaName"/>).</exception>
    public PostgreSqlImportFileStore(NpgsqlDataSource dataSource, string schemaName = PostgreSqlSchema.DefaultName)
        : this(new PostgreSqlImportDatabase(dataSource, schemaName, ownsDataSource: false))
    {
    }

    internal PostgreSqlImportFileStore(PostgreSqlImportDatabase database, int chunkSize = DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        Database = database;
        _chunkSize = chunkSize;
    }

    internal PostgreSqlImportDatabase Database { get; }

    /// <inheritdoc />
    public override async ValueTask<string> SaveUploadAsync(string jobId, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var fileId = CheckName(jobId) + ".upload";
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);

        // Two chunk buffers: the next chunk is read from the upload while the previous one is sent, so a slow client and
        // the database wait on each other only when one is behind.
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(_chunkSize), ArrayPool<byte>.Shared.Rent(_chunkSize)];
        try
        {
            var connection = await Database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    try
                    {
                        await ExecuteAsync(connection, transaction, $"INSERT INTO {Database.Files} (id, length, chunk_size) VALUES (@id, 0, @size)", cancellationToken, Text("id", fileId), Int("size", _chunkSize)).ConfigureAwait(false);
                    }
                    catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
                    {
                        throw new IOException($"The upload of job '{jobId}' exists.", ex);
                    }

                    long total = 0;
                    var chunk = 0;
                    Task? sending = null;
                    try
                    {
                        while (true)
                        {
                            var buffer = buffers[chunk % 2];
                            var filled = await FillAsync(content, buffer.AsMemory(0, _chunkSize), cancellationToken).ConfigureAwait(false);
                            total += filled;
                            if (total > maxBytes)
                            {
                                // Rolled back when the transaction is disposed: nothing is kept.
                                throw new ImportFileTooLargeException(maxBytes);
                            }

                            if (sending is not null)
                            {
                                await sending.ConfigureAwait(false);
                                sending = null;
                            }

                            if (filled > 0)
                            {
                                sending = ExecuteAsync(connection, transaction, $"INSERT INTO {Database.Chunks} (file_id, chunk, data) VALUES (@id, @chunk, @data)", cancellationToken, Text("id", fileId), Int("chunk", chunk++), Bytes("data", buffer.AsMemory(0, filled)));
                            }

                            if (filled < _chunkSize)
                            {
                                break;
                            }
                        }

                        if (sending is not null)
                        {
                            await sending.ConfigureAwait(false);
                            sending = null;
                        }
                    }
                    finally
                    {
                        // A chunk still being sent when the upload failed is waited for (its own failure matters no more), so
                        // the transaction rolls back on an idle connection and the buffer goes back to the pool unread.
                        if (sending is not null)
                        {
                            await sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        }
                    }

                    await ExecuteAsync(connection, transaction, $"UPDATE {Database.Files} SET length = @length, saved_at = clock_timestamp() WHERE id = @id", cancellationToken, Text("id", fileId), Long("length", total)).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }

        return fileId;
    }

    /// <inheritdoc />
    public override ValueTask<Stream?> OpenUploadAsync(string fileId, CancellationToken cancellationToken) =>
        OpenReadAsync(CheckName(fileId), cancellationToken);

    /// <inheritdoc />
    public override async ValueTask<Stream> OpenNotImportedForWriteAsync(string jobId, long length, CancellationToken cancellationToken)
    {
        var fileId = NotImportedId(jobId);
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await Database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction, $"INSERT INTO {Database.Files} (id, length, chunk_size) VALUES (@id, 0, @size) ON CONFLICT (id) DO NOTHING", cancellationToken, Text("id", fileId), Int("size", _chunkSize)).ConfigureAwait(false);
                var (stored, chunkSize) = (await FileInfoAsync(connection, transaction, fileId, forUpdate: true, cancellationToken).ConfigureAwait(false))!.Value;
                var keep = Math.Min(Math.Max(length, 0), stored);
                if (keep < stored)
                {
                    // Chunks wholly past the kept length go; the chunk the cut falls in keeps its first bytes.
                    var cut = (int)(keep / chunkSize);
                    var inChunk = (int)(keep % chunkSize);
                    await ExecuteAsync(connection, transaction, $"DELETE FROM {Database.Chunks} WHERE file_id = @id AND chunk >= @first", cancellationToken, Text("id", fileId), Int("first", inChunk == 0 ? cut : cut + 1)).ConfigureAwait(false);
                    if (inChunk > 0)
                    {
                        await ExecuteAsync(connection, transaction, $"UPDATE {Database.Chunks} SET data = substring(data FROM 1 FOR @keep) WHERE file_id = @id AND chunk = @chunk", cancellationToken, Text("id", fileId), Int("chunk", cut), Int("keep", inChunk)).ConfigureAwait(false);
                    }

                    await ExecuteAsync(connection, transaction, $"UPDATE {Database.Files} SET length = @length WHERE id = @id", cancellationToken, Text("id", fileId), Long("length", keep)).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new PostgreSqlFileWriteStream(Database, fileId, keep, chunkSize);
            }
        }
    }

    /// <inheritdoc />
    public override ValueTask<Stream?> OpenNotImportedAsync(string jobId, CancellationToken cancellationToken) =>
        OpenReadAsync(NotImportedId(jobId), cancellationToken);

    /// <inheritdoc />
    public override async ValueTask DeleteAsync(string jobId, string uploadFileId, CancellationToken cancellationToken)
    {
        string[] ids = [CheckName(uploadFileId), NotImportedId(jobId)];
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var command = Database.DataSource.CreateCommand($"DELETE FROM {Database.Files} WHERE id = ANY(@ids)");
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]>("ids", ids));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// An upload's save time is the database's clock when its copy ended; <paramref name="savedBefore"/> is the caller's
    /// clock, which the worker keeps at least an hour back, far more than the clocks of two hosts differ.
    /// </remarks>
    public override async ValueTask<int> DeleteAbandonedUploadsAsync(DateTimeOffset savedBefore, Func<string, CancellationToken, ValueTask<bool>> jobExists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobExists);
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        List<string> uploads = [];
        var command = Database.DataSource.CreateCommand($"SELECT id FROM {Database.Files} WHERE saved_at < @before AND id LIKE '%.upload'");
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("before", savedBefore.ToUniversalTime()));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    uploads.Add(reader.GetString(0));
                }
            }
        }

        var deleted = 0;
        foreach (var upload in uploads)
        {
            var jobId = upload[..^".upload".Length];
            if (!await jobExists(jobId, cancellationToken).ConfigureAwait(false))
            {
                await DeleteAsync(jobId, upload, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
        }

        return deleted;
    }

    internal static NpgsqlParameter Text(string name, string value) => new NpgsqlParameter<string>(name, NpgsqlDbType.Text) { TypedValue = value };

    internal static NpgsqlParameter Int(string name, int value) => new NpgsqlParameter<int>(name, value);

    internal static NpgsqlParameter Long(string name, long value) => new NpgsqlParameter<long>(name, value);

    internal static NpgsqlParameter Bytes(string name, ReadOnlyMemory<byte> value) => new NpgsqlParameter<ReadOnlyMemory<byte>>(name, NpgsqlDbType.Bytea) { TypedValue = value };

    private static string NotImportedId(string jobId) => CheckName(jobId) + ".not-imported.csv";

    private async ValueTask<Stream?> OpenReadAsync(string fileId, CancellationToken cancellationToken)
    {
        await Database.EnsureMigratedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await Database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await FileInfoAsync(connection, null, fileId, forUpdate: false, cancellationToken).ConfigureAwait(false) is var (length, chunkSize)
                ? new PostgreSqlFileReadStream(Database, fileId, length, chunkSize)
                : null;
        }
    }

    private async Task<(long Length, int ChunkSize)?> FileInfoAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string fileId, bool forUpdate, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand($"SELECT length, chunk_size FROM {Database.Files} WHERE id = @id{(forUpdate ? " FOR UPDATE" : string.Empty)}", connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(Text("id", fileId));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetInt32(1)) : null;
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddRange(parameters);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Reads until the buffer is full or the stream ends, so every chunk but the last is whole.
    private static async Task<int> FillAsync(Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await content.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false)) > 0)
        {
            filled += read;
        }

        return filled;
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.')
            {
                throw new ArgumentException($"'{name}' is not a file id of this store.", nameof(name));
            }
        }

        return name;
    }
}
