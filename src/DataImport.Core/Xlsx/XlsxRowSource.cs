using DataImport.Reading;

namespace DataImport.Xlsx;

/// <summary>Reads XLSX cells with their own types (numbers culture-free, dates by number format) without boxing.</summary>
internal sealed class XlsxRowSource : RowSource
{
    private readonly XlsxDataReader _reader;
    private readonly bool _hasHeaderRow;

    public XlsxRowSource(XlsxDataReader reader, bool hasHeaderRow)
    {
        _reader = reader;
        _hasHeaderRow = hasHeaderRow;
    }

    public override int FieldCount => _reader.FieldCount;

    // Missing cells of a sparse row are empty, so every row is as wide as the header.
    public override int RowFieldCount => _reader.FieldCount;

    public override int RowNumber => _reader.RowNumber;

    public override string GetHeader(int ordinal) => _hasHeaderRow ? _reader.GetName(ordinal) : string.Empty;

    public override bool Read() => _reader.Read();

    public override CellKind GetKind(int ordinal) => _reader.GetCellType(ordinal) switch
    {
        XlsxCellType.String => CellKind.Text,
        XlsxCellType.Number => CellKind.Number,
        XlsxCellType.Boolean => CellKind.Boolean,
        XlsxCellType.DateTime => CellKind.DateTime,
        XlsxCellType.Error => CellKind.Error,
        _ => CellKind.Empty,
    };

    public override ReadOnlySpan<char> GetText(int ordinal) => _reader.GetString(ordinal);

    public override double GetNumber(int ordinal) => _reader.GetDouble(ordinal);

    public override DateTime GetDateTime(int ordinal) => _reader.GetDateTime(ordinal);

    public override bool GetBoolean(int ordinal) => _reader.GetBoolean(ordinal);

    public override void Dispose() => _reader.Dispose();
}
