using System.Text;
using DataImport.Reading;
using Sylvan.Data.Csv;

namespace DataImport.Csv;

/// <summary>Reads CSV fields as spans straight from Sylvan's buffer.</summary>
internal sealed class CsvRowSource : RowSource
{
    private readonly CsvDataReader _reader;
    private readonly bool _hasHeaderRow;
    private readonly int _rowsBefore;
    private readonly int _maxFieldLength;
    private readonly CsvInvalidBytes? _invalidBytes;

    /// <param name="reader">Sylvan's reader.</param>
    /// <param name="hasHeaderRow">Whether the reader read a header row (it takes row number 1).</param>
    /// <param name="maxFieldLength">The record length limit the reader enforces, for its message.</param>
    /// <param name="invalidBytes">The marker of bad bytes the reader's text was decoded with, if any.</param>
    /// <param name="rowsBefore">
    /// Records of the file before the reader's first one, when it reads a part of the file (a block of whole records, see
    /// <see cref="CsvBlockSource"/>): added to its row numbers, so they are the file's.
    /// </param>
    public CsvRowSource(CsvDataReader reader, bool hasHeaderRow, int maxFieldLength, CsvInvalidBytes? invalidBytes = null, int rowsBefore = 0)
    {
        _maxFieldLength = maxFieldLength;
        _invalidBytes = invalidBytes;
        _reader = reader;
        _hasHeaderRow = hasHeaderRow;
        _rowsBefore = rowsBefore + (hasHeaderRow ? 1 : 0);
    }

    public override int FieldCount => _reader.FieldCount;

    public override int RowFieldCount => _reader.RowFieldCount;

    public override int RowNumber => _reader.RowNumber + _rowsBefore;

    public override string GetHeader(int ordinal) => _hasHeaderRow ? _reader.GetName(ordinal) : string.Empty;

    public override bool Read()
    {
        bool read;
        try
        {
            read = _reader.Read();
        }
        catch (Exception ex) when (ex is CsvFormatException or DecoderFallbackException)
        {
            throw Describe(ex, ex is CsvFormatException format ? format.RowNumber + _rowsBefore : _reader.RowNumber + _rowsBefore, _maxFieldLength);
        }

        // Bad bytes are decoded ahead of the parser; once one has been, each row is checked until the one that holds it.
        if (read && _invalidBytes is { Seen: true } && CsvInvalidBytes.FindInRow(_reader) is var column and >= 0)
        {
            throw _invalidBytes.Failure(RowNumber, column + 1);
        }

        return read;
    }

    public override bool IsTextOnly => true;

    public override CellKind GetKind(int ordinal) => _reader.GetFieldSpan(ordinal).IsEmpty ? CellKind.Empty : CellKind.Text;

    public override ReadOnlySpan<char> GetText(int ordinal) => _reader.GetFieldSpan(ordinal);

    /// <inheritdoc />
    /// <remarks>Sylvan's record in its buffer, line end included; a field with doubled quotes is unescaped elsewhere.</remarks>
    public override ReadOnlySpan<char> RawRow => _reader.GetRawRecordSpan();

    public override void Dispose() => _reader.Dispose();

    /// <summary>The failure a reader exception stands for, with the row (and the column, where Sylvan tells it) as properties.</summary>
    internal static ImportFileException Describe(Exception ex, int row, int maxFieldLength)
    {
        int? column = ex is CsvFormatException { FieldOrdinal: >= 0 and var ordinal } ? ordinal + 1 : null;
        return ex switch
        {
            CsvRecordTooLargeException => ImportFileException.At(row, null, $"Row {row} is longer than the limit of {maxFieldLength:N0} characters for one record; check for an unclosed quote, or raise DataImportOptions.MaxFieldLength.", ex),
            CsvMissingHeadersException => new ImportFileException("The file is empty: it has no header row and no data rows.", ex),
            CsvFormatException when ex.Message.Contains("without a closing quote", StringComparison.OrdinalIgnoreCase) => ImportFileException.At(
                row, column, $"Row {row}: a quoted field is not closed; the file ends inside quotes. Add the missing closing quote (\").", ex),
            CsvFormatException => ImportFileException.At(
                row, column, $"Row {row}: the CSV is malformed: a closing quote must be followed by a delimiter or a line break. Double quotes inside a quoted field (\"\").", ex),
            DecoderFallbackException => ImportFileException.At(row, null, $"Row {row}: the file is not valid UTF-8 text. Save it as UTF-8, or give its encoding (e.g. windows-1252).", ex),
            _ => ImportFileException.At(row, null, $"Row {row}: {ex.Message}", ex),
        };
    }
}
