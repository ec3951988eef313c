using System.Text;
using DataImport.Reading;
using Sylvan.Data.Csv;

namespace DataImport.Csv;

/// <summary>Reads CSV fields as spans straight from Sylvan's buffer.</summary>
internal sealed class CsvRowSource : RowSource
{
    private readonly CsvDataReader _reader;
    private readonly int _headerRows;
    private readonly int _maxFieldLength;
    private readonly CsvInvalidBytes? _invalidBytes;

    public CsvRowSource(CsvDataReader reader, bool hasHeaderRow, int maxFieldLength, CsvInvalidBytes? invalidBytes = null)
    {
        _maxFieldLength = maxFieldLength;
        _invalidBytes = invalidBytes;
        _reader = reader;
        _headerRows = hasHeaderRow ? 1 : 0;
    }

    public override int FieldCount => _reader.FieldCount;

    public override int RowFieldCount => _reader.RowFieldCount;

    public override int RowNumber => _reader.RowNumber + _headerRows;

    public override string GetHeader(int ordinal) => _headerRows == 1 ? _reader.GetName(ordinal) : string.Empty;

    public override bool Read()
    {
        bool read;
        try
        {
            read = _reader.Read();
        }
        catch (Exception ex) when (ex is CsvFormatException or DecoderFallbackException)
        {
            throw Describe(ex, ex is CsvFormatException format ? format.RowNumber + _headerRows : _reader.RowNumber + _headerRows, _maxFieldLength);
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
