using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
internal sealed class CsvHeaderCut : SpanTextReader
{
    private readonly TextReader _inner;
    private readonly char[] _ahead;
    private readonly int _length;
    private readonly int _cut;
    private int _position;

    private CsvHeaderCut(TextReader inner, char[] ahead, int length)
    {
        _inner = inner;
        _ahead = ahead;
        _length = length;
        (_cut, HeaderBreak) = HeaderEnd(_ahead.AsSpan(0, length), ended: length < _ahead.Length);
    }

    /// <summary>
    /// Gets the header line's line break. Sylvan takes the first line break it meets for the file's (a lone CR ends a
    /// record only where the first break was one): every reader of a part of the file starts with it, before an empty
    /// header, so it reads the part as the whole file's reader does.
    /// </summary>
    public string HeaderBreak { get; }

    /// <summary>Reads up to <paramref name="lookAhead"/> chars of <paramref name="inner"/> (the file's text from its first line, after any <c>sep=</c> line) and looks for the header line's end.</summary>
    public static async ValueTask<CsvHeaderCut> ReadAsync(TextReader inner, int lookAhead, CancellationToken cancellationToken)
    {
        var ahead = new char[lookAhead];
        var length = 0;
        int read;
        while (length < ahead.Length && (read = await inner.ReadAsync(ahead.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return new CsvHeaderCut(inner, ahead, length);
    }

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
    private readonly bool _crMode;
    private char[] _pending;
    private int _pendingLength;
    private bool _ended;

    /// <param name="text">The text after <paramref name="first"/>.</param>
    /// <param name="first">The data's first chars, read already.</param>
    /// <param name="invalidBytes">The marker of bad bytes <paramref name="text"/> decodes with, if any.</param>
    /// <param name="maxRecords">The most records in a block.</param>
    /// <param name="blockChars">The size from which a block is cut at its last whole record.</param>
    /// <param name="maxRecordChars">The record length limit; a longer stretch without a record's end is read in one.</param>
    /// <param name="headerBreak">The header line's line break: a lone CR makes CRs the file's record ends for Sylvan.</param>
    public CsvBlockSplitter(TextReader text, ReadOnlySpan<char> first, CsvInvalidBytes? invalidBytes, int maxRecords, int blockChars, int maxRecordChars, string headerBreak)
    {
        _crMode = headerBreak == "\r";
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
    /// records are counted by line breaks outside quotes (CR, LF or CRLF), plus a last record without one at the end of
    /// the text. A block is cut only after a break Sylvan surely ends a record at: an LF, or, in a file whose header line
    /// ends with a lone CR (Sylvan's CR mode), a lone CR. Sylvan finds those by a vector search; another break it may take
    /// for text, and then the count tells.
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
        var scan = new Scan();
        while (true)
        {
            if (ScanVectors(buffer, filled, ref scan) || ScanChars(buffer, filled, ref scan))
            {
                return Hand(buffer, filled, scan.Cut, scan.RecordsAtCut, out block, out length, out records);
            }

            if (_ended && scan.At >= filled)
            {
                // The text's end: what follows the last line break is one more record, if anything does.
                var all = scan.Records + (filled > scan.LastBreak ? 1 : 0);
                if (all == 0)
                {
                    _pendingLength = 0;
                    return CsvBlockStatus.End;
                }

                return Hand(buffer, filled, filled, all, out block, out length, out records);
            }

            if (filled == buffer.Length)
            {
                if (scan.RecordsAtCut > 0)
                {
                    return Hand(buffer, filled, scan.Cut, scan.RecordsAtCut, out block, out length, out records);
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
    /// Scans 64 chars at a time (as the progress count scans bytes): one bit per char for quotes, LFs and CRs, the chars
    /// inside quotes the prefix XOR of the quote bits. Stops 64 chars before the end, so a CR's next char is always read.
    /// </summary>
    private bool ScanVectors(char[] buffer, int filled, ref Scan scan)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return false;
        }

        ref var start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(buffer));
        while (scan.At + 64 < filled)
        {
            ulong quotes = 0, lineFeeds = 0, returns = 0;
            for (var part = 0; part < 4; part++)
            {
                var chars = Vector256.LoadUnsafe(ref start, (nuint)(scan.At + (16 * part)));
                var shift = 16 * part;
                quotes |= (ulong)Vector256.Equals(chars, Vector256.Create((ushort)'"')).ExtractMostSignificantBits() << shift;
                lineFeeds |= (ulong)Vector256.Equals(chars, Vector256.Create((ushort)'\n')).ExtractMostSignificantBits() << shift;
                returns |= (ulong)Vector256.Equals(chars, Vector256.Create((ushort)'\r')).ExtractMostSignificantBits() << shift;
            }

            var inside = CsvRowCounter.PrefixXor(quotes) ^ (scan.Quoted ? ulong.MaxValue : 0);
            for (var breaks = (lineFeeds | returns) & ~inside; breaks != 0; breaks &= breaks - 1)
            {
                var at = scan.At + BitOperations.TrailingZeroCount(breaks);
                if (Break(buffer, filled, at, ref scan))
                {
                    return true;
                }
            }

            scan.Quoted = (long)inside < 0;
            scan.At += 64;
        }

        return false;
    }

    /// <summary>Scans what <see cref="ScanVectors"/> leaves, a char class at a time; stops before a last CR until more is read.</summary>
    private bool ScanChars(char[] buffer, int filled, ref Scan scan)
    {
        while (scan.At < filled)
        {
            var rest = buffer.AsSpan(scan.At, filled - scan.At);
            if (scan.Quoted)
            {
                var close = rest.IndexOf('"');
                if (close < 0)
                {
                    scan.At = filled;
                    return false;
                }

                scan.At += close + 1;
                scan.Quoted = false;
                continue;
            }

            var next = rest.IndexOfAny(Breaks);
            if (next < 0)
            {
                scan.At = filled;
                return false;
            }

            var at = scan.At + next;
            if (buffer[at] == '"')
            {
                scan.Quoted = true;
                scan.At = at + 1;
                continue;
            }

            if (buffer[at] == '\r' && at + 1 == filled && !_ended)
            {
                // A CR last: whether an LF follows is in the next read.
                scan.At = at;
                return false;
            }

            scan.At = at + 1;
            if (Break(buffer, filled, at, ref scan))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Counts the record a line break outside quotes ends, and cuts after it where Sylvan surely ends one; true once the block is full.</summary>
    private bool Break(char[] buffer, int filled, int at, ref Scan scan)
    {
        var next = at + 1;
        var lineFeed = buffer[at] == '\n';
        if (!lineFeed && next < filled && buffer[next] == '\n')
        {
            // CRLF: the LF ends the record.
            return false;
        }

        scan.Records++;
        scan.LastBreak = next;
        if (lineFeed == _crMode)
        {
            // A lone CR in a file of LFs, or an LF in a file of CRs: counted, not cut at.
            return false;
        }

        if (scan.Records > _maxRecords && scan.RecordsAtCut > 0)
        {
            // Breaks that are no place to cut came since the last place: the block ends there, with no more than its most.
            return true;
        }

        scan.Cut = next;
        scan.RecordsAtCut = scan.Records;
        return scan.RecordsAtCut >= _maxRecords || scan.Cut >= _blockChars;
    }

    /// <summary>Where a scan for the next block is.</summary>
    private struct Scan
    {
        /// <summary>The next char to look at.</summary>
        public int At;

        /// <summary>Whether <see cref="At"/> is inside quotes.</summary>
        public bool Quoted;

        /// <summary>Records ended so far, and the place after the last one's line break.</summary>
        public int Records;
        public int LastBreak;

        /// <summary>Where the block may be cut, and the records before that place.</summary>
        public int Cut;
        public int RecordsAtCut;
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

    private CsvBlockStatus Hand(char[] buffer, int filled, int cut, int blockRecords, out char[] block, out int length, out int records)
    {
        records = blockRecords;
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
        Splitter = new CsvBlockSplitter(cut.Inner, cut.Rest, invalidBytes, MaxRecords, BlockChars, maxFieldLength, cut.HeaderBreak);
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
    private sealed class StringThenText(string start, TextReader rest) : SpanTextReader
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
    }
}

/// <summary>One converting thread's text reader over the block it parses, and the buffer its Sylvan readers use.</summary>
internal sealed class CsvBlockText : SpanTextReader
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

}

/// <summary>A text reader whose every read is done at once, into a span: the block readers' text, the header cut's look-ahead.</summary>
internal abstract class SpanTextReader : TextReader
{
    public abstract override int Read(Span<char> buffer);

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read() => throw new NotSupportedException("Read a block of chars.");

    public override int Peek() => -1;

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => Task.FromResult(Read(buffer.AsSpan(index, count)));

    public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
}
