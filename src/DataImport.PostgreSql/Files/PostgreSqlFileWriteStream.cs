namespace DataImport.PostgreSql;

/// <summary>
/// Appends to a stored file: bytes gather in memory up to the end of the current chunk, and each full chunk, and each
/// flush, appends them to that chunk's row and moves the file's length in one statement. So after <see cref="Flush"/>
/// (or <see cref="FlushAsync"/>) every byte written is durable, and the file never holds bytes past its length.
/// </summary>
/// <remarks>
/// The append happens only while the stored length is still the one this writer last wrote (compare-and-set): a worker
/// whose job was taken over, and whose file the new owner cut back, gets an <see cref="IOException"/> from its next
/// flush instead of writing into the new owner's file. The stream is seekable so callers can read its length and
/// position, but it only appends: moving the position elsewhere is not supported.
/// </remarks>
internal sealed class PostgreSqlFileWriteStream : Stream
{
    private readonly PostgreSqlImportDatabase _database;
    private readonly string _fileId;
    private readonly int _chunkSize;
    private readonly string _appendSql;
    private byte[]? _pending;
    private int _pendingCount;
    private long _durable;
    private bool _disposed;

    public PostgreSqlFileWriteStream(PostgreSqlImportDatabase database, string fileId, long length, int chunkSize)
    {
        _database = database;
        _fileId = fileId;
        _durable = length;
        _chunkSize = chunkSize;
        _appendSql = $"""
            WITH moved AS (UPDATE {database.Files} SET length = @length WHERE id = @id AND length = @expected RETURNING id)
            INSERT INTO {database.Chunks} AS c (file_id, chunk, data) SELECT id, @chunk, @data FROM moved
            ON CONFLICT (file_id, chunk) DO UPDATE SET data = c.data || excluded.data
            """;
    }

    public override bool CanRead => false;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => !_disposed;

    public override long Length => _durable + _pendingCount;

    public override long Position
    {
        get => Length;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Gather(buffer);
            buffer = buffer[taken..];
            if (ChunkFull)
            {
                AppendAsync(async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Gather(buffer.Span);
            buffer = buffer[taken..];
            if (ChunkFull)
            {
                await AppendAsync(async: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override void Flush() => AppendAsync(async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => AppendAsync(async: true, cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current or SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return target == Length ? target : throw new NotSupportedException("A not-imported file is written at its end only.");
    }

    public override void SetLength(long value)
    {
        if (value != Length)
        {
            throw new NotSupportedException("A not-imported file is cut back when it is opened, not while it is written.");
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The not-imported file is opened for writing.");

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            try
            {
                await AppendAsync(async: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TakenOverException)
            {
                // The file belongs to the worker that took the job over; this writer's last bytes are not kept.
            }
            finally
            {
                _disposed = true;
                _pending = null;
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                Flush();
            }
            catch (TakenOverException)
            {
                // As in DisposeAsync.
            }
            finally
            {
                _disposed = true;
                _pending = null;
            }
        }

        base.Dispose(disposing);
    }

    private bool ChunkFull => (int)(_durable % _chunkSize) + _pendingCount == _chunkSize;

    // Copies as much as fits before the end of the current chunk.
    private int Gather(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pending ??= new byte[_chunkSize];
        var room = _chunkSize - (int)(_durable % _chunkSize) - _pendingCount;
        var taken = Math.Min(room, buffer.Length);
        buffer[..taken].CopyTo(_pending.AsSpan(_pendingCount));
        _pendingCount += taken;
        return taken;
    }

    private async ValueTask AppendAsync(bool async, CancellationToken cancellationToken)
    {
        if (_pendingCount == 0 || _disposed)
        {
            return;
        }

        var length = _durable + _pendingCount;
        var command = _database.DataSource.CreateCommand(_appendSql);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(PostgreSqlImportFileStore.Text("id", _fileId));
            command.Parameters.Add(PostgreSqlImportFileStore.Long("length", length));
            command.Parameters.Add(PostgreSqlImportFileStore.Long("expected", _durable));
            command.Parameters.Add(PostgreSqlImportFileStore.Int("chunk", checked((int)(_durable / _chunkSize))));
            command.Parameters.Add(PostgreSqlImportFileStore.Bytes("data", _pending.AsMemory(0, _pendingCount)));
            var appended = async ? await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) : command.ExecuteNonQuery();
            if (appended == 0)
            {
                throw new TakenOverException($"The not-imported file '{_fileId}' was changed by another writer (its job was taken over or deleted), so these bytes are not kept.");
            }
        }

        _durable = length;
        _pendingCount = 0;
    }

    private sealed class TakenOverException(string message) : IOException(message);
}
