using Npgsql;

namespace DataImport.PostgreSql;

/// <summary>
/// Reads a stored file a chunk at a time: the chunk under the position is loaded when a read first needs it, so a
/// file of any size costs one chunk of memory, and seeking is free until the next read.
/// </summary>
/// <remarks>The length is the file's when it was opened: bytes a writer appends later are not read.</remarks>
internal sealed class PostgreSqlFileReadStream : Stream
{
    private readonly PostgreSqlImportDatabase _database;
    private readonly string _fileId;
    private readonly long _length;
    private readonly int _chunkSize;
    private byte[]? _chunk;
    private int _chunkLength;
    private long _chunkIndex = -1;
    private long _position;
    private bool _disposed;

    public PostgreSqlFileReadStream(PostgreSqlImportDatabase database, string fileId, long length, int chunkSize)
    {
        _database = database;
        _fileId = fileId;
        _length = length;
        _chunkSize = chunkSize;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _length;
        }
    }

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!Available(buffer.Length, out var index))
        {
            return 0;
        }

        if (index != _chunkIndex)
        {
            Load(index, async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return CopyOut(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Available(buffer.Length, out var index))
        {
            return 0;
        }

        if (index != _chunkIndex)
        {
            await Load(index, async: true, cancellationToken).ConfigureAwait(false);
        }

        return CopyOut(buffer.Span);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("A stored file is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A stored file is read-only.");

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _chunk = null;
        base.Dispose(disposing);
    }

    private bool Available(int wanted, out long index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        index = _position / _chunkSize;
        return wanted > 0 && _position < _length;
    }

    private int CopyOut(Span<byte> buffer)
    {
        var inChunk = (int)(_position - (_chunkIndex * _chunkSize));
        var count = (int)Math.Min(Math.Min(buffer.Length, _chunkLength - inChunk), _length - _position);
        if (count <= 0)
        {
            throw new IOException($"The stored file '{_fileId}' is shorter than its length says; it was changed while being read.");
        }

        _chunk.AsSpan(inChunk, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    // Sync and async share one body: Npgsql's sync and async calls differ only in the awaiting.
    private async ValueTask Load(long index, bool async, CancellationToken cancellationToken)
    {
        _chunk ??= new byte[_chunkSize];
        _chunkIndex = -1;
        var command = _database.DataSource.CreateCommand($"SELECT data FROM {_database.Chunks} WHERE file_id = @id AND chunk = @chunk");
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(PostgreSqlImportFileStore.Text("id", _fileId));
            command.Parameters.Add(PostgreSqlImportFileStore.Int("chunk", checked((int)index)));
            var reader = async
                ? await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false)
                : command.ExecuteReader(System.Data.CommandBehavior.SequentialAccess);
            await using (reader.ConfigureAwait(false))
            {
                if (!(async ? await reader.ReadAsync(cancellationToken).ConfigureAwait(false) : reader.Read()))
                {
                    throw new IOException($"The stored file '{_fileId}' has no chunk {index}; it was deleted or cut back while being read.");
                }

                // Sequential access: the bytes go from the network buffer into this chunk, with no copy of their own.
                var data = async ? await reader.GetStreamAsync(0, cancellationToken).ConfigureAwait(false) : reader.GetStream(0);
                await using (data.ConfigureAwait(false))
                {
                    var filled = 0;
                    int read;
                    while (filled < _chunkSize && (read = async ? await data.ReadAsync(_chunk.AsMemory(filled), cancellationToken).ConfigureAwait(false) : data.Read(_chunk, filled, _chunkSize - filled)) > 0)
                    {
                        filled += read;
                    }

                    _chunkLength = filled;
                }
            }
        }

        _chunkIndex = index;
    }
}
