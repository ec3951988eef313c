using DataImport.Reading;

namespace DataImport.Xlsx;

/// <summary>Reads XLSX cells with their own types (numbers culture-free, dates by number format) without boxing.</summary>
internal sealed class XlsxRowSource : RowSource
{
    private readonly XlsxDataReader _reader;
    private readonly bool _hasHeaderRow;
    private readonly int _mappedWidth;

    /// <param name="reader">The open reader.</param>
    /// <param name="hasHeaderRow">Whether the first non-blank row holds the headers.</param>
    /// <param name="mappedWidth">
    /// The highest column mapped by number. Without a dimension the sheet's width is only known once every row is read,
    /// so a column mapped by number is never refused for being beyond the rows read so far (with or without a header row;
    /// a header the sheet lacks is blank).
    /// </param>
    public XlsxRowSource(XlsxDataReader reader, bool hasHeaderRow, int mappedWidth = 0)
    {
        _reader = reader;
        _hasHeaderRow = hasHeaderRow;
        _mappedWidth = mappedWidth;
    }

    public override int FieldCount => Math.Max(_reader.FieldCount, _mappedWidth);

    // Missing cells of a sparse or narrow row are empty, so every row is as wide as the sheet.
    public override int RowFieldCount => FieldCount;

    public override int RowNumber => _reader.RowNumber;

    public override string GetHeader(int ordinal) => _hasHeaderRow && ordinal < _reader.FieldCount ? _reader.GetName(ordinal) : string.Empty;

    public override bool Read() => _reader.Read();

    public override CellKind GetKind(int ordinal) => ordinal >= _reader.FieldCount ? CellKind.Empty : _reader.GetCellType(ordinal) switch
    {
        XlsxCellType.String => CellKind.Text,
        XlsxCellType.Number => CellKind.Number,
        XlsxCellType.Boolean => CellKind.Boolean,
        XlsxCellType.DateTime => CellKind.DateTime,

        XlsxCellType.Duration => CellKind.Duration,
        XlsxCellType.Error => CellKind.Error,
        _ => CellKind.Empty,
    };

    public override ReadOnlySpan<char> GetText(int ordinal) => _reader.GetString(ordinal);

    public override double GetNumber(int ordinal) => _reader.GetDouble(ordinal);

    public override DateTime GetDateTime(int ordinal) => _reader.GetDateTime(ordinal);

    public override bool GetBoolean(int ordinal) => _reader.GetBoolean(ordinal);

    public override void Dispose() => _reader.Dispose();
}
