using System.Globalization;
using System.Runtime.ExceptionServices;
using DataImport.Csv;
using DataImport.Output;
using DataImport.Reading;

namespace DataImport.Pipeline;

/// <summary>
/// The batching stage with conversion on several threads. The importing thread reads rows into chunks, deciding what
/// <see cref="RowBatcher"/> decides (blank rows, rows a resumed job already committed, the row limit); each chunk is
/// converted and validated by one of up to <c>degree - 1</c> workers on the thread pool, each with a
/// <see cref="RowStage"/> of its own, or by the importing thread itself once it has read far enough ahead; the converted
/// rows then fill the batches in file order. Matching, writing, outcomes and progress stay one batch at a time, in file
/// order (the next batch fills while one is written), so a run gives exactly the results of a one-thread run.
/// </summary>
/// <remarks>
/// <para>
/// A CSV file with a header (<see cref="CsvBlockSource"/>) is not parsed on the importing thread at all: it cuts the text
/// into blocks of whole records (a vector scan for quotes and line breaks), and the thread that converts a chunk parses
/// its block with a Sylvan reader of its own, so each field is located once, where it is converted. The rows of such a
/// chunk are counted (and the row limit applied) as they are handed on, in file order. A block that does not parse
/// into exactly the records it was cut with, without an error, and every block after it, is read again by one reader
/// from its start (<see cref="ReadRestInOne"/>), which then goes on as the reading below: the rows, row numbers and
/// errors are one reader's. Measured on 2 cores, 1M sales rows: 193 → 175 ms (benchmarks/README, "Rows parsed where
/// they are converted").
/// </para>
/// <para>
/// What the reader throws, and what a row's conversion throws (a custom validator, a record's setter), is kept at its
/// place in the file and thrown when the batches reach it, after every row before it, where a one-thread run throws it.
/// At most a few chunks per thread are read ahead, so memory stays bounded; a chunk is reused once the batch holding its
/// last row is committed and the next fill has started (so a batch of many thousand rows holds that many rows' chunks until it is written, as a
/// one-thread batch holds that many rows). The workers never touch the reader, and <see cref="Dispose"/> stops them and waits for them,
/// so no thread converts a row or runs a validator once the run has ended. Nothing here waits on the thread pool: a
/// chunk no worker has started is converted by the importing thread when it needs it, so a busy pool slows an import
/// down to one thread, never stalls it.
/// </para>
/// </remarks>
internal sealed class ParallelRowBatcher : IRowBatcher, IDisposable
{
    private readonly RowStage _stage;
    private readonly RowChunk.View _view = new();
    private readonly Func<RowStage> _newStage;
    private readonly Worker[] _workers;
    private readonly int _window;
    private readonly int _resumeAfter;
    private readonly int? _maxRows;
    private readonly int _sourceWidth;
    private readonly bool _keepSourceCells;
    private readonly CultureInfo _culture;
    private readonly CancellationToken _cancellation;

    // Chunks waiting for a thread to convert them (guarded by itself), in file order.
    private readonly Queue<RowChunk> _queued = new();

    // Chunks read and not yet handed to a batch, in file order (importing thread only, as the fields below).
    private readonly Queue<RowChunk> _ahead = new();

    // Chunks whose every row is in a batch: those handed on during the current fill and during the fill before it
    // (their rows may be in the batch being committed while this one fills), and chunks free for the next rows.
    private readonly Stack<RowChunk> _free = new();
    private List<RowChunk> _handed = [];
    private List<RowChunk> _handedBefore = [];
    private RowChunk? _current;
    private int _next;
    private bool _readEnded;
    private volatile bool _stopping;

    // The reader, or, for a CSV file cut into blocks, the source the blocks come from (the converting threads parse
    // them, and the rows are counted as they are handed on): until a block fails its check and one reader goes on.
    private RowSource _source;
    private readonly CsvBlockSource? _blockSource;
    private bool _cuttingBlocks;
    private int _recordsCut;

    /// <param name="source">The reader, read on the importing thread only.</param>
    /// <param name="stage">The importing thread's stage.</param>
    /// <param name="newStage">Makes a stage for a worker (its own converter, validator and scratch).</param>
    /// <param name="degree">The most threads converting at once, the importing thread included; at least 2.</param>
    /// <param name="resumeAfter">Rows up to this row number were committed by an earlier run and are skipped.</param>
    /// <param name="dataRowsBefore">The data rows the earlier run counted.</param>
    /// <param name="maxRows">The row limit, if any.</param>
    /// <param name="sourceWidth">The source columns the not-imported file repeats.</param>
    /// <param name="keepSourceCells">Whether rows not imported are written, so their source cells must be kept.</param>
    /// <param name="cancellationToken">The run's token: workers stop converting when it is cancelled.</param>
    public ParallelRowBatcher(RowSource source, RowStage stage, Func<RowStage> newStage, int degree, int resumeAfter, int dataRowsBefore, int? maxRows, int sourceWidth, bool keepSourceCells, CancellationToken cancellationToken)
    {
        _source = source;
        _blockSource = source as CsvBlockSource;
        _cuttingBlocks = _blockSource is not null;
        _stage = stage;
        _newStage = newStage;
        _workers = [.. Enumerable.Range(0, degree - 1).Select(_ => new Worker(this))];

        // Enough chunks ahead that every thread finds one to convert while the importing thread reads and commits
        // (a chunk is about 256 rows, so this is a few thousand rows at most).
        _window = Math.Clamp(4 * degree, 8, 64);
        _resumeAfter = resumeAfter;
        DataRows = dataRowsBefore;
        _maxRows = maxRows;
        _sourceWidth = sourceWidth;
        _keepSourceCells = keepSourceCells;
        _culture = stage.Converter.Culture;
        _cancellation = cancellationToken;
    }

    /// <inheritdoc/>
    /// <remarks>Counted as rows are read ahead: exact once the reading ended (the end of the file or the row limit).</remarks>
    public int DataRows { get; private set; }

    /// <inheritdoc/>
    /// <remarks>As <see cref="DataRows"/>: exact once the reading ended.</remarks>
    public int LastRowRead { get; private set; }

    /// <inheritdoc/>
    public FillResult Fill(RowBatch batch, CancellationToken cancellationToken)
    {
        // A fill starts once the batch before the previous one is committed (the previous one may be committing while
        // this one fills): the chunks handed on before the previous fill held only rows of committed batches.
        if (batch.Count == 0)
        {
            foreach (var handed in _handedBefore)
            {
                _free.Push(handed);
            }

            _handedBefore.Clear();
            (_handedBefore, _handed) = (_handed, _handedBefore);
        }

        while (!batch.IsFull)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = _current;
            if (chunk is not null && _next < chunk.Count)
            {
                if (chunk.Block is not null)
                {
                    // Rows parsed from a block are counted here, in file order, as the reading counts the rows it reads.
                    DataRows++;
                    if (_maxRows is { } limit && DataRows > limit)
                    {
                        return FillResult.RowLimit;
                    }

                    LastRowRead = chunk.RowNumbers[_next];
                }

                if (_next == chunk.FailedRow)
                {
                    _current = null;
                    chunk.ConversionFailure!.Throw();
                }

                batch.Add(chunk.Rows[_next++]);
                continue;
            }

            if (chunk is not null)
            {
                _handed.Add(chunk);
                _current = null;
                chunk.ReadFailure?.Throw();
                if (chunk.End is { } end)
                {
                    return end;
                }
            }

            var next = NextConverted(cancellationToken);
            if (next.ReadRestInOne)
            {
                // Not current: the chunk is free again (with every chunk after it) whether or not one reader can go on.
                ReadRestInOne(next);
                continue;
            }

            _current = next;
            _next = 0;
        }

        return FillResult.BatchFull;
    }

    /// <summary>Stops the workers, waits until none runs, and keeps the chunks for later imports.</summary>
    public void Dispose()
    {
        _stopping = true;
        while (TakeQueued() is { } unstarted)
        {
            unstarted.Abandon();
            unstarted.Complete();
        }

        foreach (var worker in _workers)
        {
            worker.WaitIdle();
        }

        foreach (var chunk in _ahead.Concat(_handed).Concat(_handedBefore).Concat(_free))
        {
            RowChunk.Return(chunk);
        }

        if (_current is not null)
        {
            RowChunk.Return(_current);
        }

        _ahead.Clear();
        _handed.Clear();
        _handedBefore.Clear();
        _free.Clear();
        _current = null;
    }

    /// <summary>
    /// The next chunk in file order, converted: reads ahead up to the window first (keeping the workers fed), then
    /// converts the chunk itself when no worker has started it, or another waiting chunk, and only then waits.
    /// </summary>
    private RowChunk NextConverted(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (!_readEnded && _ahead.Count < _window)
            {
                ReadChunk(cancellationToken);
            }

            if (!_ahead.TryPeek(out var oldest))
            {
                throw new InvalidOperationException("The reading ended and every row was handed on.");
            }

            if (!oldest.IsConverted)
            {
                if (oldest.TryClaim())
                {
                    Convert(oldest, _stage, _view);
                }
                else if (TakeQueued() is { } other)
                {
                    Convert(other, _stage, _view);
                    continue;
                }
                else
                {
                    oldest.WaitConverted();
                }
            }

            _ahead.Dequeue();
            if (oldest.Abandoned)
            {
                // Only a cancelled run (or one that ended) abandons a chunk.
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException(cancellationToken);
            }

            return oldest;
        }
    }

    /// <summary>Reads the next rows into a chunk and queues it; what the reader throws is kept in the chunk, after its rows.</summary>
    private void ReadChunk(CancellationToken cancellationToken)
    {
        var chunk = _free.TryPop(out var reused) ? reused : RowChunk.Rent(_source.IsTextOnly, _keepSourceCells);
        chunk.Clear();
        if (_cuttingBlocks)
        {
            CutBlock(chunk, cancellationToken);
            return;
        }

        // Counted in locals and stored once per chunk: the workers read this object's fields (whether the run is
        // stopping) while they convert, and a store to the same cache line for every row read makes the cores pass that
        // line back and forth (with the check below every 16 rows, a 1M-row run took about 5% less processor time).
        var dataRows = DataRows;
        var lastRowRead = LastRowRead;
        try
        {
            while (!chunk.IsFull)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!_source.Read())
                {
                    chunk.End = FillResult.EndOfFile;
                    break;
                }

                var rowNumber = _source.RowNumber;
                if (rowNumber <= _resumeAfter || _source.IsBlankRow())
                {
                    continue;
                }

                dataRows++;
                if (_maxRows is { } limit && dataRows > limit)
                {
                    chunk.End = FillResult.RowLimit;
                    break;
                }

                lastRowRead = rowNumber;
                chunk.Capture(_source, rowNumber);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            chunk.ReadFailure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            DataRows = dataRows;
            LastRowRead = lastRowRead;
        }

        _readEnded = chunk.HasEnded;
        _ahead.Enqueue(chunk);
        if (chunk.Count == 0)
        {
            chunk.MarkConverted();
            return;
        }

        Queue(chunk);
    }

    /// <summary>Hands a read chunk to the converting threads.</summary>
    private void Queue(RowChunk chunk)
    {
        chunk.MarkQueued();
        lock (_queued)
        {
            _queued.Enqueue(chunk);
        }

        foreach (var worker in _workers)
        {
            if (worker.TryStart())
            {
                break;
            }
        }
    }

    /// <summary>
    /// Cuts the next block of whole records into a chunk, for a converting thread to parse; at the end of the text, or
    /// where the text cannot be cut, marks the chunk so (where one reader then goes on, <see cref="ReadRestInOne"/>).
    /// </summary>
    private void CutBlock(RowChunk chunk, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        CsvBlockStatus status;
        char[] block;
        int length;
        int records;
        try
        {
            status = _blockSource!.Splitter.Next(out block, out length, out records);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A read that fails (an I/O error): one reader goes on from here and meets it after the rows before it.
            (status, block, length, records) = (CsvBlockStatus.ReadRestInOne, [], 0, 0);
        }

        _ahead.Enqueue(chunk);
        switch (status)
        {
            case CsvBlockStatus.Block:
                chunk.SetBlock(block, length, _recordsCut, records);
                _recordsCut += records;
                Queue(chunk);
                return;
            case CsvBlockStatus.End:
                chunk.End = FillResult.EndOfFile;
                break;
            default:
                chunk.ReadRestInOneAfter(_recordsCut);
                break;
        }

        _readEnded = true;
        chunk.MarkConverted();
    }

    /// <summary>
    /// Goes on with one reader from the start of <paramref name="chunk"/>'s block (or the place it marks): every chunk
    /// read after it is dropped, once no thread converts it, and its text read again. Every row before was handed on.
    /// </summary>
    private void ReadRestInOne(RowChunk chunk)
    {
        var text = new System.Text.StringBuilder();
        if (chunk.Block is { } block)
        {
            text.Append(block, 0, chunk.BlockLength);
        }

        lock (_queued)
        {
            _queued.Clear();
        }

        foreach (var later in _ahead)
        {
            if (!later.IsConverted && !later.TryClaim())
            {
                later.WaitConverted();
            }

            if (later.Block is { } laterBlock)
            {
                text.Append(laterBlock, 0, later.BlockLength);
            }

            _free.Push(later);
        }

        _ahead.Clear();
        _free.Push(chunk);

        // No more blocks; and nothing more is read if the reader cannot open (its first record's failure ends the run).
        _cuttingBlocks = false;
        _readEnded = true;
        _source = _blockSource!.ReadRestInOne(text.ToString(), chunk.RecordsBefore);
        _readEnded = false;
    }

    /// <summary>Takes the oldest queued chunk no thread has started, or <see langword="null"/>.</summary>
    private RowChunk? TakeQueued()
    {
        lock (_queued)
        {
            while (_queued.TryDequeue(out var chunk))
            {
                if (chunk.TryClaim())
                {
                    return chunk;
                }
            }
        }

        return null;
    }

    private bool HasQueued()
    {
        lock (_queued)
        {
            return _queued.Count > 0;
        }
    }

    /// <summary>Converts and validates a claimed chunk's rows with one thread's stage; never throws.</summary>
    private void Convert(RowChunk chunk, RowStage stage, RowChunk.View view)
    {
        if (chunk.Block is not null)
        {
            ParseAndConvert(chunk, stage, view);
            return;
        }

        var rows = chunk.Rows;
        for (var r = 0; r < chunk.Count; r++)
        {
            // Every 16 rows: this object's fields share cache lines with ones the importing thread writes per row.
            if ((r & 15) == 0 && (_stopping || _cancellation.IsCancellationRequested))
            {
                chunk.Abandon();
                break;
            }

            var row = rows[r] ??= new PendingRow();
            view.MoveTo(chunk, r);
            try
            {
                KeepSourceCells(chunk, r, row, view);
                stage.Process(view, row);
            }
#pragma warning disable CA1031 // Thrown by the importing thread when it reaches this row, as a one-thread run throws it there.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                chunk.Fail(r, ex);
                break;
            }
        }

        chunk.Complete();
    }

    /// <summary>
    /// Parses a claimed chunk's block with a reader of this thread's and converts and validates its rows; never throws.
    /// The block must parse into exactly the records it was cut with, without an error: else the chunk is marked, and
    /// one reader reads the file again from there (<see cref="ReadRestInOne"/>), giving the rows and errors one reader
    /// gives. Blank rows and rows a resumed job committed are skipped, as the reading skips them.
    /// </summary>
    private void ParseAndConvert(RowChunk chunk, RowStage stage, RowChunk.View view)
    {
        CsvRowSource source;
        try
        {
            source = _blockSource!.OpenBlock(view.BlockText, chunk.Block!, chunk.BlockLength, chunk.RecordsBefore);
        }
#pragma warning disable CA1031 // Any failure to parse the block sends its rows to one reader, which reports it where it belongs.
        catch (Exception)
#pragma warning restore CA1031
        {
            chunk.ReadRestInOne = true;
            chunk.Complete();
            return;
        }

        try
        {
            var records = 0;
            while (true)
            {
                bool read;
                try
                {
                    read = source.Read();
                }
#pragma warning disable CA1031 // As above.
                catch (Exception)
#pragma warning restore CA1031
                {
                    chunk.ReadRestInOne = true;
                    break;
                }

                if (!read)
                {
                    chunk.ReadRestInOne = records != chunk.BlockRecords;
                    break;
                }

                // More records than the cut counted, or more than a chunk holds (a run of breaks with no place to cut).
                if (++records > chunk.BlockRecords || chunk.Count == RowChunk.MaxRows)
                {
                    chunk.ReadRestInOne = true;
                    break;
                }

                // Every 16 rows, as in Convert.
                if ((records & 15) == 0 && (_stopping || _cancellation.IsCancellationRequested))
                {
                    chunk.Abandon();
                    break;
                }

                var rowNumber = source.RowNumber;
                if (rowNumber <= _resumeAfter || source.IsBlankRow())
                {
                    continue;
                }

                var index = chunk.Count;
                var row = chunk.Rows[index] ??= new PendingRow();
                if (_keepSourceCells)
                {
                    chunk.Capture(source, rowNumber);
                    row.Reset(rowNumber, chunk.Cells, chunk.FirstField[index]);
                    row.RawCount = Math.Min(source.RowFieldCount, _sourceWidth);
                }
                else
                {
                    chunk.AddRow(rowNumber);
                    row.Reset(rowNumber, null, 0);
                }

                try
                {
                    stage.Process(source, row);
                }
#pragma warning disable CA1031 // Thrown by the importing thread when it reaches this row, as a one-thread run throws it there.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    chunk.Fail(index, ex);
                    break;
                }
            }
        }
        finally
        {
            source.Dispose();
            chunk.Complete();
        }
    }

    /// <summary>Resets the row's slot and points it at its source cells for the not-imported file, as <see cref="RowBatcher"/> keeps them.</summary>
    private void KeepSourceCells(RowChunk chunk, int index, PendingRow row, RowChunk.View view)
    {
        var rowNumber = chunk.RowNumbers[index];
        if (!_keepSourceCells)
        {
            row.Reset(rowNumber, null, 0);
            return;
        }

        var count = Math.Min(view.RowFieldCount, _sourceWidth);
        if (chunk.TextOnly)
        {
            // A text cell is written as its text: the chunk's copy is the not-imported file's.
            row.Reset(rowNumber, chunk.Cells, chunk.FirstField[index]);
        }
        else
        {
            var cells = chunk.SourceCells!;
            row.Reset(rowNumber, cells, cells.FieldTotal);
            for (var i = 0; i < count; i++)
            {
                SourceCellFormatter.Append(view, i, _culture, cells);
            }
        }

        row.RawCount = count;
    }

    /// <summary>A converting thread of the pool: takes queued chunks until none is left, with a stage of its own.</summary>
#pragma warning disable CA1001 // Its view is a RowSource that owns nothing (its Dispose does nothing).
    private sealed class Worker(ParallelRowBatcher owner)
#pragma warning restore CA1001
    {
        private readonly object _gate = new();
        private readonly RowChunk.View _view = new();
        private RowStage? _stage;

        // Queued on the pool or running (set by the importing thread, cleared by the worker).
        private bool _active;

        // Running: between taking its first chunk and returning to the pool; what Dispose waits for.
        private bool _running;

        /// <summary>Queues the worker on the pool unless it is running (a running worker takes new chunks too).</summary>
        public bool TryStart()
        {
            lock (_gate)
            {
                if (_active || owner._stopping)
                {
                    return false;
                }
            }

            // Made on the importing thread (the only one that starts workers), so a stage that cannot be made fails the
            // run there, with no worker left running.
            _stage ??= owner._newStage();
            lock (_gate)
            {
                _active = true;
            }

            // The import's execution context flows, so a validator sees the async-local state (a trace's activity, a
            // host's ambient values) it sees on one thread.
            ThreadPool.QueueUserWorkItem(static worker => worker.Execute(), this, preferLocal: false);
            return true;
        }

        private void Execute()
        {
            lock (_gate)
            {
                // The run ended before the pool ran this worker: it touches nothing.
                if (owner._stopping)
                {
                    _active = false;
                    return;
                }

                _running = true;
            }

            while (true)
            {
                if (owner.TakeQueued() is { } chunk)
                {
                    owner.Convert(chunk, _stage!, _view);
                    continue;
                }

                lock (_gate)
                {
                    // A chunk queued after the take above found this worker still active and did not start another.
                    if (!owner._stopping && owner.HasQueued())
                    {
                        continue;
                    }

                    _active = false;
                    _running = false;
                    Monitor.PulseAll(_gate);
                    return;
                }
            }
        }

        /// <summary>
        /// Waits until the worker no longer runs; called once <see cref="_stopping"/> is set, so a worker the pool has not
        /// started yet is not waited for (it will return at once), and a busy pool cannot delay the end of a run.
        /// </summary>
        public void WaitIdle()
        {
            lock (_gate)
            {
                while (_running)
                {
                    Monitor.Wait(_gate);
                }
            }
        }
    }
}
