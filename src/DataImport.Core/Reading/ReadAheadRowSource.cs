using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace DataImport.Reading;

/// <summary>
/// Reads a text-only source (CSV) on a dedicated thread, a few hundred rows ahead, while the import converts the rows
/// already read: parsing and decoding the file overlap with conversion, validation and batching on a second core.
/// </summary>
/// <remarks>
/// Rows travel in reusable chunks (the fields' text copied into one char buffer), at most <see cref="ChunksInFlight"/>
/// at a time, so memory stays bounded whatever the file size. The reader's behaviour is unchanged: the same rows, row
/// numbers, ragged rows and text; an error the reader throws at a row (a malformed record, an I/O failure) is thrown
/// by <see cref="Read"/> after every row before it, so the engine still commits those rows first.
/// </remarks>
internal sealed class ReadAheadRowSource : RowSource
{
    internal const int ChunksInFlight = 8;
    internal const int RowsPerChunk = 256;

    // Chunks hand over once their text passes this size (a long row may take it past), keeping buffers under the
    // large object heap threshold in the usual case.
    internal const int CharsPerChunk = 32 * 1024;

    // Chunks of ended runs, kept for the next runs (cleared first): fresh chunks every run were promoted and died in
    // gen 2, costing a full collection every few imports. Bounded: a few imports' worth at most.
    private static readonly ConcurrentQueue<Chunk> Spare = new();
    private static int s_spareCount;

    private readonly RowSource _inner;
    private readonly string[] _headers;
    private readonly BlockingCollection<Chunk> _full = new(ChunksInFlight);
    private readonly ConcurrentQueue<Chunk> _free = new();
    private readonly IdleGate? _idle;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _producer;
    private Chunk? _chunk;
    private int _row = -1;
    private int _fieldBase;
    private int _rowFields;
    private bool _ended;

    /// <param name="inner">
    /// The reader, read only by the read-ahead thread once reading starts. <see cref="Dispose"/> waits for that thread,
    /// so a read that never returns (a stalled stream) delays it, as it would delay a one-thread import.
    /// </param>
    /// <param name="idle">Opened while the read-ahead thread waits for the import to catch up, and for good once it is done.</param>
    public ReadAheadRowSource(RowSource inner, IdleGate? idle = null)
    {
        _inner = inner;
        _idle = idle;
        _headers = [.. Enumerable.Range(0, inner.FieldCount).Select(inner.GetHeader)];
    }

    public override int FieldCount => _headers.Length;

    public override int RowFieldCount => _rowFields;

    public override int RowNumber => _chunk!.RowNumbers[_row];

    public override bool IsTextOnly => true;

    public override string GetHeader(int ordinal) => _headers[ordinal];

    public override bool Read()
    {
        if (_ended)
        {
            return false;
        }

        if (_producer is null)
        {
            _producer = new Thread(Produce) { IsBackground = true, Name = "DataImport read-ahead" };
            _producer.Start();
        }

        while (true)
        {
            var chunk = _chunk;
            if (chunk is not null && _row + 1 < chunk.Rows)
            {
                _row++;
                _fieldBase = chunk.RowFieldStarts[_row];
                _rowFields = chunk.RowFieldStarts[_row + 1] - _fieldBase;
                return true;
            }

            if (chunk is not null)
            {
                if (chunk.Error is { } error)
                {
                    _ended = true;
                    ExceptionDispatchInfo.Throw(error);
                }

                if (chunk.End)
                {
                    _ended = true;
                    return false;
                }

                _free.Enqueue(chunk);
            }

            _chunk = _full.Take();
            _row = -1;
        }
    }

    public override CellKind GetKind(int ordinal) => GetText(ordinal).IsEmpty ? CellKind.Empty : CellKind.Text;

    public override ReadOnlySpan<char> GetText(int ordinal)
    {
        if ((uint)ordinal >= (uint)_rowFields)
        {
            return [];
        }

        var chunk = _chunk!;
        var field = _fieldBase + ordinal;
        var start = field == 0 ? 0 : chunk.FieldEnds[field - 1];
        return chunk.Chars.AsSpan(start, chunk.FieldEnds[field] - start);
    }

    public override void Dispose()
    {
        if (_producer is not null)
        {
            _stop.Cancel();
            _producer.Join();
        }

        _idle?.Open();
        ReturnSpare(_chunk);
        _chunk = null;
        while (_full.TryTake(out var unread))
        {
            ReturnSpare(unread);
        }

        while (_free.TryDequeue(out var free))
        {
            ReturnSpare(free);
        }

        _stop.Dispose();
        _full.Dispose();
        _inner.Dispose();
    }

    private static Chunk? RentSpare()
    {
        if (!Spare.TryDequeue(out var chunk))
        {
            return null;
        }

        Interlocked.Decrement(ref s_spareCount);
        return chunk;
    }

    private static void ReturnSpare(Chunk? chunk)
    {
        if (chunk is null || chunk.Chars.Length > CharsPerChunk * 2 || Interlocked.Increment(ref s_spareCount) > 4 * (ChunksInFlight + 2))
        {
            if (chunk is not null)
            {
                Interlocked.Decrement(ref s_spareCount);
            }

            return;
        }

        // The import's text does not outlive the import.
        Array.Clear(chunk.Chars, 0, chunk.Length);
        chunk.Clear();
        Spare.Enqueue(chunk);
    }

    private void Produce()
    {
        var token = _stop.Token;
        try
        {
            while (true)
            {
                var chunk = _free.TryDequeue(out var reused) ? reused : RentSpare() ?? new Chunk();
                chunk.Clear();
                var last = Fill(chunk);
                Add(chunk, token);
                if (last)
                {
                    _idle?.Open();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The import ended (or stopped) before the file did.
        }
#pragma warning disable CA1031 // Nothing may escape a thread's start method (it would end the process); the importing thread throws it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Not from the reader (Fill hands those over): still handed over, so the importing thread never waits in vain.
            try
            {
                var failed = new Chunk();
                failed.Clear();
                failed.Error = ex;
                _full.Add(failed, token);
            }
            catch (OperationCanceledException)
            {
                // The import already ended.
            }
            finally
            {
                _idle?.Open();
            }
        }
    }

    /// <summary>
    /// Hands a chunk over, waiting while <see cref="ChunksInFlight"/> are unread. While it waits, the reading thread is
    /// idle, and <see cref="_idle"/> lets other work (the progress row count) use the core; once the reading resumes,
    /// that work pauses, so two threads share the two cores instead of three.
    /// </summary>
    private void Add(Chunk chunk, CancellationToken token)
    {
        if (_full.TryAdd(chunk))
        {
            return;
        }

        _idle?.Open();
        try
        {
            _full.Add(chunk, token);
        }
        finally
        {
            _idle?.Close();
        }
    }

    /// <summary>Reads rows into the chunk; returns <see langword="true"/> when the file ended or failed.</summary>
    private bool Fill(Chunk chunk)
    {
        try
        {
            while (chunk.Rows < RowsPerChunk && chunk.Length < CharsPerChunk)
            {
                if (!_inner.Read())
                {
                    chunk.End = true;
                    return true;
                }

                chunk.Add(_inner);
            }

            return false;
        }
#pragma warning disable CA1031 // Handed to the importing thread, which throws it where the row stands in the file.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            chunk.Error = ex;
            return true;
        }
    }

    /// <summary>Rows of text in one buffer: field ends are cumulative offsets, rows index into them.</summary>
    private sealed class Chunk
    {
        public char[] Chars = new char[CharsPerChunk + 1024];
        public int[] FieldEnds = new int[RowsPerChunk * 16];
        public readonly int[] RowFieldStarts = new int[RowsPerChunk + 1];
        public readonly int[] RowNumbers = new int[RowsPerChunk];
        public int Rows;
        public int Length;
        public int Fields;
        public bool End;
        public Exception? Error;

        public void Clear()
        {
            Rows = 0;
            Length = 0;
            Fields = 0;
            End = false;
            Error = null;
        }

        public void Add(RowSource source)
        {
            var count = source.RowFieldCount;
            if (Fields + count > FieldEnds.Length)
            {
                Array.Resize(ref FieldEnds, Math.Max(FieldEnds.Length * 2, Fields + count));
            }

            for (var i = 0; i < count; i++)
            {
                var text = source.GetText(i);
                if (Length + text.Length > Chars.Length)
                {
                    Array.Resize(ref Chars, Math.Max(Chars.Length * 2, Length + text.Length));
                }

                text.CopyTo(Chars.AsSpan(Length));
                Length += text.Length;
                FieldEnds[Fields++] = Length;
            }

            RowNumbers[Rows] = source.RowNumber;
            RowFieldStarts[Rows] = Fields - count;
            Rows++;
            RowFieldStarts[Rows] = Fields;
        }
    }
}
