using System.Buffers;
using DataImport.Reading;
using Sylvan.Data.Csv;

namespace DataImport.Csv;

/// <summary>
/// Serves Sylvan a CSV file's header line and then ends, keeping what it read after that line: the data rows are then
/// cut into blocks of whole records (<see cref="CsvBlockSplitter"/>), each parsed by its own Sylvan reader on the thread
/// that converts it.
/// </summary>
/// <remarks>
/// The header line is cut only where it surely ends for Sylvan too: at the first line break, with no quote before it.
/// A header with a quote, or longer than the look-ahead, is passed through whole, and the file is read by one reader.
/// </remarks>
internal sealed class CsvHeaderCut : TextReader
{
    private readonly TextReader _inner;
    private readonly char[] _ahead;
    private readonly int _length;
    private readonly int _cut;
    private int _position;

    /// <param name="inner">The file's text, from its first line (after any <c>sep=</c> line).</param>
    /// <param name="lookAhead">How many chars to look at for the header line's end.</param>
    public CsvHeaderCut(TextReader inner, int lookAhead)
    {
        _inner = inner;
        _ahead = new char[lookAhead];
        var length = 0;
        int read;
        while (length < _ahead.Length && (read = inner.Read(_ahead, length, _ahead.Length - length)) > 0)
        {
            length += read;
        }

        _length = length;
        (_cut, HeaderBreak) = HeaderEnd(_ahead.AsSpan(0, length), ended: length < _ahead.Length);
    }

    /// <summary>
    /// Gets the header line's line break. Sylvan takes the first line break it meets for the file's (a lone CR ends a
    /// record only where the first break was one): every reader of a part of the file starts with it, before an empty
    /// header, so it reads the part as the whole file's reader does.
    /// </summary>
    public string HeaderBreak { get; }

    /// <summary>Gets a value indicating whether Sylvan is served the header line only.</summary>
    public bool IsCut => _cut >= 0;

    /// <summary>Gets the chars read after the header line: the data's first chars.</summary>
    public ReadOnlySpan<char> Rest => IsCut ? _ahead.AsSpan(_cut, _length - _cut) : [];

    /// <summary>Gets the file's text after the chars read ahead.</summary>
    public TextReader Inner => _inner;

    public override int Read(Span<char> buffer)
    {
        var end = IsCut ? _cut : _length;
        if (_position < end)
        {
            var count = Math.Min(buffer.Length, end - _position);
            _ahead.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        return IsCut ? 0 : _inner.Read(buffer);
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read() => throw new NotSupportedException("Read a block of chars.");

    public override int Peek() => -1;

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => Task.FromResult(Read(buffer.AsSpan(index, count)));

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
        IsCut || _position < _length ? ValueTask.FromResult(Read(buffer.Span)) : _inner.ReadAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Where the header line ends (after its line break), or -1 when it is not surely there; and that line break.</summary>
    internal static (int End, string Break) HeaderEnd(ReadOnlySpan<char> text, bool ended)
    {
        var at = text.IndexOfAny('"', '\r', '\n');
        if (at < 0)
        {
            // No line break: a file of one line is its header alone.
            return (ended ? text.Length : -1, "\n");
        }

        return text[at] switch
        {
            '"' => (-1, "\n"),
            '\n' => (at + 1, "\n"),
            _ when at + 1 < text.Length => text[at + 1] == '\n' ? (at + 2, "\r\n") : (at + 1, "\r"),
            _ => (ended ? at + 1 : -1, "\r"),
        };
    }
}

/// <summary>What <see cref="CsvBlockSplitter.Next"/> gives.</summary>
internal enum CsvBlockStatus
{
    /// <summary>A block of whole records.</summary>
    Block,

    /// <summary>The text has ended; no more blocks.</summary>
    End,

    /// <summary>
    /// The rest of the text must be read by one reader from the start of the block that was being cut (a bad byte was
    /// decoded, or a record is too long to cut around): <see cref="CsvBlockSplitter.TakeRest"/>.
    /// </summary>
    ReadRestInOne,
}

/// <summary>
/// Cuts CSV text into blocks of whole records, each a Sylvan reader can parse on its own: a record ends at a line break
/// (LF, CRLF or CR) outside quotes, a quote opening or closing a quoted part. The importing thread cuts (a scan for
/// quotes and line breaks, far cheaper than parsing), and the converting threads parse.
/// </summary>
/// <remarks>
/// The cut follows quotes by their count, which is what Sylvan does for well-formed files; a quote inside an unquoted
/// field (<c>5" pipe</c>) is a literal to Sylvan but not to the count. Each block therefore says how many records it
/// holds by the count, and the thread that parses it checks that Sylvan read exactly that many without an error (a block
/// cut inside a quoted field ends inside quotes, which Sylvan reports). A block that fails the check, and every block
/// after it, is read again by one reader from the block's start (<see cref="CsvBlockSource.ReadRestInOne"/>): the rows,
/// their numbers and every error then come out exactly as from one reader over the whole file.
/// </remarks>
internal sealed class CsvBlockSplitter
{
    private static readonly SearchValues<char> Breaks = SearchValues.Create("\"\r\n");

    private readonly TextReader _text;
    private readonly CsvInvalidBytes? _invalidBytes;
    private readonly int _maxRecords;
    private readonly int _blockChars;
    private readonly int _maxRecordChars;
    private char[] _pending;
    private int _pendingLength;
    private bool _ended;

    /// <param name="text">The text after <paramref name="first"/>.</param>
    /// <param name="first">The data's first chars, read already.</param>
    /// <param name="invalidBytes">The marker of bad bytes <paramref name="text"/> decodes with, if any.</param>
    /// <param name="maxRecords">The most records in a block.</param>
    /// <param name="blockChars">The size from which a block is cut at its last whole record.</param>
    /// <param name="maxRecordChars">The record length limit; a longer stretch without a record's end is read in one.</param>
    public CsvBlockSplitter(TextReader text, ReadOnlySpan<char> first, CsvInvalidBytes? invalidBytes, int maxRecords, int blockChars, int maxRecordChars)
    {
        _text = text;
        _invalidBytes = invalidBytes;
        _maxRecords = maxRecords;
        _blockChars = blockChars;
        _maxRecordChars = maxRecordChars;
        _pending = ArrayPool<char>.Shared.Rent(Math.Max(2 * blockChars, first.Length));
        first.CopyTo(_pending);
        _pendingLength = first.Length;
    }

    /// <summary>Gets the text after the chars this splitter holds.</summary>
    public TextReader Text => _text;

    /// <summary>
    /// Cuts the next block. A block's array comes from the shared pool and belongs to the caller, who returns it; its
    /// records are counted by line breaks outside quotes, plus a last record without one at the end of the text.
    /// </summary>
    public CsvBlockStatus Next(out char[] block, out int length, out int records)
    {
        block = [];
        length = 0;
        records = 0;
        if (_invalidBytes is { Seen: true })
        {
            return CsvBlockStatus.ReadRestInOne;
        }

        var buffer = _pending;
        var filled = _pendingLength;
        var at = 0;
        var cut = 0;
        var quoted = false;
        while (true)
        {
            // Scan what is read for record ends; stop at a block's worth.
            while (at < filled)
            {
                var rest = buffer.AsSpan(at, filled - at);
                if (quoted)
                {
                    var close = rest.IndexOf('"');
                    if (close < 0)
                    {
                        at = filled;
                        break;
                    }

                    at += close + 1;
                    quoted = false;
                    continue;
                }

                var next = rest.IndexOfAny(Breaks);
                if (next < 0)
                {
                    at = filled;
                    break;
                }

                at += next;
                var c = buffer[at];
                if (c == '"')
                {
                    quoted = true;
                    at++;
                    continue;
                }

                if (c == '\r')
                {
                    if (at + 1 < filled)
                    {
                        at += buffer[at + 1] == '\n' ? 2 : 1;
                    }
                    else if (_ended)
                    {
                        at++;
                    }
                    else
                    {
                        // A CR last: whether an LF follows is in the next read.
                        break;
                    }
                }
                else
                {
                    at++;
                }

                records++;
                cut = at;
                if (records == _maxRecords || cut >= _blockChars)
                {
                    return Hand(buffer, filled, cut, records, out block, out length);
                }
            }

            if (_ended)
            {
                // The text's end: what follows the last line break is one more record, if anything does.
                if (filled > cut)
                {
                    records++;
                    cut = filled;
                }

                if (records == 0)
                {
                    _pendingLength = 0;
                    return CsvBlockStatus.End;
                }

                return Hand(buffer, filled, cut, records, out block, out length);
            }

            if (filled == buffer.Length)
            {
                if (records > 0)
                {
                    return Hand(buffer, filled, cut, records, out block, out length);
                }

                if (filled > _maxRecordChars + _blockChars)
                {
                    _pendingLength = filled;
                    return CsvBlockStatus.ReadRestInOne;
                }

                // One record longer than the buffer: a larger one.
                var larger = ArrayPool<char>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, filled).CopyTo(larger);
                ArrayPool<char>.Shared.Return(buffer);
                buffer = _pending = larger;
            }

            var read = _text.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                _ended = true;
            }

            filled += read;
            _pendingLength = filled;
            if (_invalidBytes is { Seen: true })
            {
                // Bad bytes are marked where they were decoded: one reader finds and reports the row that holds one.
                return CsvBlockStatus.ReadRestInOne;
            }
        }
    }

    /// <summary>
    /// Takes the chars held and not handed out (the start of the text one reader goes on with, before <see cref="Text"/>).
    /// </summary>
    public string TakeRest()
    {
        var rest = new string(_pending, 0, _pendingLength);
        _pendingLength = 0;
        return rest;
    }

    private CsvBlockStatus Hand(char[] buffer, int filled, int cut, int records, out char[] block, out int length)
    {
        // The block keeps this array; what follows its last record starts the next one.
        var next = ArrayPool<char>.Shared.Rent(Math.Max(2 * _blockChars, filled - cut));
        buffer.AsSpan(cut, filled - cut).CopyTo(next);
        _pending = next;
        _pendingLength = filled - cut;
        block = buffer;
        length = cut;
        return CsvBlockStatus.Block;
    }
}

/// <summary>
/// A CSV file whose data rows are read in blocks of whole records (<see cref="CsvBlockSplitter"/>), each parsed by the
/// thread that converts it (<see cref="Pipeline.ParallelRowBatcher"/>); or, read as a row source, by one reader.
/// </summary>
internal sealed class CsvBlockSource : RowSource
{
    // Records a block holds at most (as many as a chunk of rows), and the size at which a block is cut.
    internal const int MaxRecords = Pipeline.RowChunk.MaxRows;
    internal const int BlockChars = 32 * 1024;

    private readonly CsvRowSource _header;
    private readonly CsvDataReaderOptions _options;
    private readonly CsvInvalidBytes? _invalidBytes;
    private readonly int _maxFieldLength;
    private CsvRowSource? _inOne;

    public CsvBlockSource(CsvRowSource header, CsvHeaderCut cut, CsvDataReaderOptions readerOptions, CsvInvalidBytes? invalidBytes, int maxFieldLength)
    {
        _header = header;
        _invalidBytes = invalidBytes;
        _maxFieldLength = maxFieldLength;
        _options = new CsvDataReaderOptions
        {
            HasHeaders = true,
            Delimiter = readerOptions.Delimiter,
            BufferSize = readerOptions.BufferSize,
            MaxBufferSize = readerOptions.MaxBufferSize,
            OwnsReader = false,
        };
        Splitter = new CsvBlockSplitter(cut.Inner, cut.Rest, invalidBytes, MaxRecords, BlockChars, maxFieldLength);
        HeaderCut = cut;
    }

    public CsvBlockSplitter Splitter { get; }

    /// <summary>Gets the reader the header was read from (disposed with this source, and the file with it).</summary>
    public CsvHeaderCut HeaderCut { get; }

    public override int FieldCount => _header.FieldCount;

    public override int RowFieldCount => InOne.RowFieldCount;

    public override int RowNumber => InOne.RowNumber;

    public override bool IsTextOnly => true;

    public override ReadOnlySpan<char> RawRow => InOne.RawRow;

    private CsvRowSource InOne => _inOne ??= ReadRestInOne(string.Empty, 0);

    public override string GetHeader(int ordinal) => _header.GetHeader(ordinal);

    /// <summary>Reads the data rows by one reader, as a source that never took a block does.</summary>
    public override bool Read() => InOne.Read();

    public override CellKind GetKind(int ordinal) => InOne.GetKind(ordinal);

    public override ReadOnlySpan<char> GetText(int ordinal) => InOne.GetText(ordinal);

    /// <summary>
    /// Parses one block on the calling thread: a reader over its text whose row numbers are the file's. Any error it meets
    /// is the caller's sign that the block must be read again by one reader.
    /// </summary>
    public CsvRowSource OpenBlock(CsvBlockText text, char[] block, int length, int recordsBefore)
    {
        text.Reset(HeaderCut.HeaderBreak, block, length);
        var reader = CsvDataReader.Create(text, text.ReaderBuffer(_options.BufferSize), _options);
        return new CsvRowSource(reader, hasHeaderRow: true, _maxFieldLength, invalidBytes: null, rowsBefore: recordsBefore);
    }

    /// <summary>
    /// Goes on with one reader from the start of a block: <paramref name="start"/> (the blocks read from there on) then
    /// what the splitter holds and the rest of the file, numbering rows after <paramref name="recordsBefore"/> data records.
    /// </summary>
    public CsvRowSource ReadRestInOne(string start, int recordsBefore)
    {
        // After the header's line break and an empty header, as every block (see OpenBlock).
        var text = new StringThenText(HeaderCut.HeaderBreak + start + Splitter.TakeRest(), Splitter.Text);
        try
        {
            var reader = CsvDataReader.Create(text, _options);
            _inOne?.Dispose();
            return _inOne = new CsvRowSource(reader, hasHeaderRow: true, _maxFieldLength, _invalidBytes, recordsBefore);
        }
        catch (Exception ex) when (ex is CsvFormatException or System.Text.DecoderFallbackException)
        {
            // A failure as the reader opens is its first record's, as one reader reports it.
            throw CsvRowSource.Describe(ex, recordsBefore + 2, _maxFieldLength);
        }
    }

    public override void Dispose()
    {
        _inOne?.Dispose();
        _header.Dispose();
        HeaderCut.Dispose();
    }

    /// <summary>A string, then a reader's text.</summary>
    private sealed class StringThenText(string start, TextReader rest) : TextReader
    {
        private int _position;

        public override int Read(Span<char> buffer)
        {
            if (_position < start.Length)
            {
                var count = Math.Min(buffer.Length, start.Length - _position);
                start.AsSpan(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }

            return rest.Read(buffer);
        }

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read() => throw new NotSupportedException("Read a block of chars.");

        public override int Peek() => -1;

        public override Task<int> ReadAsync(char[] buffer, int index, int count) => Task.FromResult(Read(buffer.AsSpan(index, count)));

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    }
}

/// <summary>One converting thread's text reader over the block it parses, and the buffer its Sylvan readers use.</summary>
internal sealed class CsvBlockText : TextReader
{
    private string _prefix = string.Empty;
    private char[] _block = [];
    private int _length;
    private int _position;

    private char[] _readerBuffer = [];

    /// <summary>Gets the buffer each block's reader starts in (one per thread, so a block costs none): the size one reader over the file starts with.</summary>
    public char[] ReaderBuffer(int size) => _readerBuffer.Length == size ? _readerBuffer : _readerBuffer = new char[size];

    /// <summary>Reads <paramref name="prefix"/>, then the block's <paramref name="length"/> chars.</summary>
    public void Reset(string prefix, char[] block, int length)
    {
        _prefix = prefix;
        _block = block;
        _length = length;
        _position = -prefix.Length;
    }

    public override int Read(Span<char> buffer)
    {
        if (_position < 0)
        {
            var fromPrefix = Math.Min(buffer.Length, -_position);
            _prefix.AsSpan(_prefix.Length + _position, fromPrefix).CopyTo(buffer);
            _position += fromPrefix;
            return fromPrefix;
        }

        var count = Math.Min(buffer.Length, _length - _position);
        _block.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read() => throw new NotSupportedException("Read a block of chars.");

    public override int Peek() => -1;

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => Task.FromResult(Read(buffer.AsSpan(index, count)));

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
}
