using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using DataImport.Reading;

namespace DataImport.Pipeline;

/// <summary>
/// Consecutive data rows copied out of the reader, so they can be converted on another thread while the reader moves
/// on: each cell's kind and value (text in an arena; numbers, dates and booleans in 8 bytes), how the reading ended after
/// them, and, once converted, each row's slot (<see cref="PendingRow"/>) with its record or its problems.
/// </summary>
/// <remarks>
/// One thread fills a chunk, then one thread converts it (<see cref="TryClaim"/>), then the importing thread hands its
/// rows on in file order; a chunk is reused only after the batch holding its last row is committed. A CSV chunk's text is
/// also what the not-imported file repeats, so it is not copied again; a typed source (a workbook) gets its cells
/// formatted for that file by the converting thread into <see cref="SourceCells"/>.
/// </remarks>
internal sealed class RowChunk
{
    public const int MaxRows = 256;

    // A chunk hands over once its text or its cells pass these (a long or wide row may take it past), keeping its
    // buffers under the large object heap threshold in the usual case.
    public const int MaxChars = 32 * 1024;
    public const int MaxFields = 8 * 1024;

    // Filling: being read into, by the importing thread; no thread may claim it (a queue can still hold the chunk from
    // an earlier use, when the importing thread claimed it directly). Queued: read, waiting for a thread to claim it.
    private const int Filling = 0;
    private const int Queued = 1;
    private const int Converting = 2;
    private const int Converted = 3;

    // Chunks of ended runs, kept for the next runs (wiped first), as the read-ahead keeps its own: fresh chunks every
    // run would be promoted and die in gen 2. Bounded.
    private static readonly ConcurrentQueue<RowChunk> Spare = new();
    private static int s_spareCount;

    private readonly object _gate = new();
    private CellKind[] _kinds = [];
    private long[] _values = [];
    private int _state;

    private RowChunk()
    {
    }

    /// <summary>Gets a value indicating whether every cell is text (CSV): then only <see cref="Cells"/> is kept.</summary>
    public bool TextOnly { get; private set; }

    /// <summary>Gets the text of every captured cell, row after row (empty for typed cells).</summary>
    public RawRowArena Cells { get; } = new();

    /// <summary>Gets, for a typed source whose rows not imported are written, each row's cells as that file writes them.</summary>
    public RawRowArena? SourceCells { get; private set; }

    public int[] RowNumbers { get; } = new int[MaxRows];

    /// <summary>Gets each row's first cell in <see cref="Cells"/>; the entry after the last row is the cell total.</summary>
    public int[] FirstField { get; } = new int[MaxRows + 1];

    public PendingRow[] Rows { get; } = new PendingRow[MaxRows];

    public int Count { get; private set; }

    /// <summary>Gets or sets how the reading ended after these rows (end of file or the row limit), if it did.</summary>
    public FillResult? End { get; set; }

    /// <summary>Gets or sets what the reader threw after these rows, thrown when the import reaches that point.</summary>
    public ExceptionDispatchInfo? ReadFailure { get; set; }

    /// <summary>Gets the row (index in the chunk) whose conversion threw, or -1; rows after it are not converted.</summary>
    public int FailedRow { get; private set; } = -1;

    public ExceptionDispatchInfo? ConversionFailure { get; private set; }

    /// <summary>Gets a value indicating whether conversion stopped early because the import was cancelled or ended.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>
    /// Gets the block of whole CSV records this chunk's rows are parsed from by the thread that converts them
    /// (<see cref="Csv.CsvBlockSource"/>), or <see langword="null"/> when the importing thread read the rows into it.
    /// </summary>
    public char[]? Block { get; private set; }

    public int BlockLength { get; private set; }

    /// <summary>Gets the data records of the file before the block (blank and resumed ones included).</summary>
    public int RecordsBefore { get; private set; }

    /// <summary>Gets the records the block holds, by the count of line breaks that cut it.</summary>
    public int BlockRecords { get; private set; }

    /// <summary>
    /// Gets or sets a value indicating whether the rest of the file, from this chunk's block on, must be read by one
    /// reader: the block did not parse into exactly its records without an error, or it could not be cut.
    /// </summary>
    public bool ReadRestInOne { get; set; }

    public bool IsFull => Count == MaxRows || Cells.Length >= MaxChars || Cells.FieldTotal >= MaxFields;

    public bool HasEnded => End is not null || ReadFailure is not null;

    public bool IsConverted => Volatile.Read(ref _state) == Converted;

    public static RowChunk Rent(bool textOnly, bool keepSourceCells)
    {
        if (Spare.TryDequeue(out var chunk))
        {
            Interlocked.Decrement(ref s_spareCount);
        }
        else
        {
            chunk = new RowChunk();
        }

        chunk.TextOnly = textOnly;
        chunk.SourceCells = textOnly || !keepSourceCells ? null : chunk.SourceCells ?? new RawRowArena();
        chunk.SourceCells?.Clear();
        return chunk;
    }

    /// <summary>Keeps a chunk no thread uses any more for a later import, its text wiped and its records dropped.</summary>
    public static void Return(RowChunk chunk)
    {
        if (chunk.Cells.Capacity > MaxChars * 2)
        {
            return;
        }

        if (Interlocked.Increment(ref s_spareCount) > 32)
        {
            Interlocked.Decrement(ref s_spareCount);
            return;
        }

        chunk.DropBlock();
        chunk.Cells.Wipe();
        chunk.SourceCells?.Wipe();
        foreach (var row in chunk.Rows)
        {
            row?.Reset(0, null, 0);
        }

        chunk.Count = 0;
        chunk.Reset();
        Spare.Enqueue(chunk);
    }

    /// <summary>Gets a value indicating whether the chunks kept for later imports are each kept once (a chunk kept twice would serve two imports at once).</summary>
    internal static bool SpareHoldsEachOnce()
    {
        var spare = Spare.ToArray();
        return spare.Distinct().Count() == spare.Length;
    }

    /// <summary>Empties the chunk for the next rows of the same import.</summary>
    public void Clear()
    {
        DropBlock();
        Cells.Clear();
        SourceCells?.Clear();
        Count = 0;
        Reset();
    }

    /// <summary>Copies the source's current row (every cell) as the next row of the chunk.</summary>
    public void Capture(RowSource source, int rowNumber)
    {
        var count = source.RowFieldCount;
        var first = Cells.FieldTotal;
        if (TextOnly && source.RawRow is { IsEmpty: false } raw)
        {
            Cells.AppendRow(raw, source, count);
        }
        else if (TextOnly)
        {
            for (var i = 0; i < count; i++)
            {
                Cells.Append(source.GetText(i));
            }
        }
        else
        {
            if (first + count > _kinds.Length)
            {
                Array.Resize(ref _kinds, Math.Max(first + count, Math.Max(_kinds.Length * 2, 256)));
                Array.Resize(ref _values, _kinds.Length);
            }

            for (var i = 0; i < count; i++)
            {
                CaptureTyped(source, i, first + i);
            }
        }

        RowNumbers[Count] = rowNumber;
        FirstField[Count] = first;
        FirstField[Count + 1] = Cells.FieldTotal;
        Count++;
    }

    /// <summary>Gives the chunk a block of records to parse, its array from the shared pool (returned when the chunk is cleared).</summary>
    public void SetBlock(char[] block, int length, int recordsBefore, int records)
    {
        Block = block;
        BlockLength = length;
        RecordsBefore = recordsBefore;
        BlockRecords = records;
    }

    /// <summary>Marks the place where the blocks end and one reader goes on, after <paramref name="recordsBefore"/> records.</summary>
    public void ReadRestInOneAfter(int recordsBefore)
    {
        RecordsBefore = recordsBefore;
        ReadRestInOne = true;
    }

    /// <summary>Adds a row parsed from the block, its cells not kept.</summary>
    public void AddRow(int rowNumber)
    {
        RowNumbers[Count] = rowNumber;
        FirstField[Count] = Cells.FieldTotal;
        FirstField[Count + 1] = Cells.FieldTotal;
        Count++;
    }

    /// <summary>Marks the chunk read: from now on one thread may claim it.</summary>
    public void MarkQueued() => Volatile.Write(ref _state, Queued);

    /// <summary>Takes the chunk for conversion; <see langword="false"/> when another thread already has, or it is not read yet.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Converting, Queued) == Queued;

    /// <summary>Marks a chunk with nothing to convert (no rows) as converted.</summary>
    public void MarkConverted() => Volatile.Write(ref _state, Converted);

    /// <summary>Records that converting row <paramref name="row"/> threw; the import throws it when it reaches that row.</summary>
    public void Fail(int row, Exception exception)
    {
        FailedRow = row;
        ConversionFailure = ExceptionDispatchInfo.Capture(exception);
    }

    /// <summary>Ends a conversion that stopped early: the import was cancelled or is ending.</summary>
    public void Abandon() => Abandoned = true;

    /// <summary>Called by the converting thread when it is done with the chunk; wakes the importing thread if it waits.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            Volatile.Write(ref _state, Converted);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until the thread converting the chunk is done with it.</summary>
    public void WaitConverted()
    {
        if (IsConverted)
        {
            return;
        }

        lock (_gate)
        {
            while (!IsConverted)
            {
                Monitor.Wait(_gate);
            }
        }
    }

    private void DropBlock()
    {
        if (Block is { } block)
        {
            Block = null;
            ArrayPool<char>.Shared.Return(block);
        }

        BlockLength = 0;
        RecordsBefore = 0;
        BlockRecords = 0;
        ReadRestInOne = false;
    }

    private void Reset()
    {
        End = null;
        ReadFailure = null;
        FailedRow = -1;
        ConversionFailure = null;
        Abandoned = false;
        Volatile.Write(ref _state, Filling);
    }

    private void CaptureTyped(RowSource source, int ordinal, int field)
    {
        var kind = source.GetKind(ordinal);
        long value = 0;
        ReadOnlySpan<char> text = [];
        switch (kind)
        {
            case CellKind.Text or CellKind.Error:
                text = source.GetText(ordinal);
                break;
            case CellKind.Number:
                value = BitConverter.DoubleToInt64Bits(source.GetNumber(ordinal));
                break;
            case CellKind.Duration:
                value = BitConverter.DoubleToInt64Bits(source.GetNumber(ordinal));
                text = source.GetText(ordinal);
                break;
            case CellKind.Boolean:
                value = source.GetBoolean(ordinal) ? 1 : 0;
                break;
            case CellKind.DateTime:
                var date = source.GetDateTime(ordinal);
                value = date.Ticks | ((long)date.Kind << 62);
                break;
        }

        _kinds[field] = kind;
        _values[field] = value;
        Cells.Append(text);
    }

    /// <summary>
    /// One row of a chunk seen as a <see cref="RowSource"/>, for the conversion and validation stage and the not-imported
    /// cells, exactly as that stage would read the reader's row. One per converting thread.
    /// </summary>
    internal sealed class View : RowSource
    {
        private RowChunk _chunk = null!;
        private Csv.CsvBlockText? _blockText;
        private int _row;
        private int _first;
        private int _count;

        public override int FieldCount => _count;

        /// <summary>Gets the converting thread's reader over the block it parses.</summary>
        public Csv.CsvBlockText BlockText => _blockText ??= new();

        public override int RowFieldCount => _count;

        public override int RowNumber => _chunk.RowNumbers[_row];

        public override bool IsTextOnly => _chunk.TextOnly;

        public void MoveTo(RowChunk chunk, int row)
        {
            _chunk = chunk;
            _row = row;
            _first = chunk.FirstField[row];
            _count = chunk.FirstField[row + 1] - _first;
        }

        public override string GetHeader(int ordinal) => throw new NotSupportedException("A chunk's rows have no header.");

        public override bool Read() => throw new NotSupportedException("A chunk's rows are moved to, not read.");

        public override CellKind GetKind(int ordinal)
        {
            if ((uint)ordinal >= (uint)_count)
            {
                return CellKind.Empty;
            }

            if (_chunk.TextOnly)
            {
                return _chunk.Cells.Field(_first + ordinal).IsEmpty ? CellKind.Empty : CellKind.Text;
            }

            return _chunk._kinds[_first + ordinal];
        }

        public override ReadOnlySpan<char> GetText(int ordinal) => (uint)ordinal < (uint)_count ? _chunk.Cells.Field(_first + ordinal) : [];

        public override double GetNumber(int ordinal) => BitConverter.Int64BitsToDouble(_chunk._values[_first + ordinal]);

        public override DateTime GetDateTime(int ordinal)
        {
            var value = _chunk._values[_first + ordinal];
            return new DateTime(value & 0x3FFF_FFFF_FFFF_FFFF, (DateTimeKind)((ulong)value >> 62));
        }

        public override bool GetBoolean(int ordinal) => _chunk._values[_first + ordinal] != 0;

        public override void Dispose()
        {
        }
    }
}
