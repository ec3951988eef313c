using System.Data.Common;
using System.Globalization;

namespace DataImport.Reading;

internal enum CellKind
{
    Empty,
    Text,
    Number,
    Boolean,
    DateTime,

    /// <summary>An elapsed time (a spreadsheet's <c>[h]:mm</c> formats): <see cref="RowSource.GetNumber"/> gives its length in days, <see cref="RowSource.GetText"/> the text shown.</summary>
    Duration,
    Error,
}

/// <summary>
/// The engine's view of a reader: one row at a time, each cell as text or a typed value, with its
/// spreadsheet row number. Specialised per reader so CSV fields are read as spans without allocating.
/// </summary>
internal abstract class RowSource : IDisposable
{
    public abstract int FieldCount { get; }

    public abstract int RowFieldCount { get; }

    public abstract int RowNumber { get; }

    public abstract string GetHeader(int ordinal);

    public abstract bool Read();

    public abstract CellKind GetKind(int ordinal);

    /// <summary>
    /// Gets a value indicating whether every cell is text (CSV): a cell is <see cref="CellKind.Empty"/> exactly when
    /// its text is empty, so the per-row loop reads each field once instead of asking its kind first.
    /// </summary>
    public virtual bool IsTextOnly => false;

    /// <summary>The cell's text (for text and error cells; typed cells are formatted invariantly).</summary>
    public abstract ReadOnlySpan<char> GetText(int ordinal);

    /// <summary>
    /// Gets the current row's text as the file holds it, when the reader keeps it in one piece (CSV): most cells'
    /// <see cref="GetText"/> lie inside it, so a row can be copied once instead of a cell at a time. Empty otherwise.
    /// </summary>
    public virtual ReadOnlySpan<char> RawRow => [];

    public virtual double GetNumber(int ordinal) => throw new InvalidOperationException();

    public virtual DateTime GetDateTime(int ordinal) => throw new InvalidOperationException();

    public virtual bool GetBoolean(int ordinal) => throw new InvalidOperationException();

    public bool IsBlankRow()
    {
        var count = RowFieldCount;
        for (var i = 0; i < count; i++)
        {
            var kind = GetKind(i);
            if (kind == CellKind.Empty)
            {
                continue;
            }

            if (kind != CellKind.Text || !GetText(i).IsWhiteSpace())
            {
                return false;
            }
        }

        return true;
    }

    public abstract void Dispose();
}

/// <summary>A row source over any <see cref="DbDataReader"/>, reading cells through <see cref="DbDataReader.GetValue"/>.</summary>
internal class DataReaderRowSource : RowSource
{
    private readonly DbDataReader _reader;
    private readonly bool _hasHeaderRow;
    private readonly IImportRowNumber? _rowNumbers;
    private object[] _values = [];
    private readonly string[] _text;
    private int _rowCount;

    public DataReaderRowSource(DbDataReader reader, bool hasHeaderRow)
    {
        _reader = reader;
        _hasHeaderRow = hasHeaderRow;
        _rowNumbers = reader as IImportRowNumber;
        _values = new object[Math.Max(reader.FieldCount, 0)];
        _text = new string[_values.Length];
    }

    public override int FieldCount => _reader.FieldCount;

    public override int RowFieldCount => _values.Length;

    public override int RowNumber => _rowNumbers?.RowNumber ?? (_rowCount + (_hasHeaderRow ? 1 : 0));

    public override string GetHeader(int ordinal) => _hasHeaderRow ? _reader.GetName(ordinal) ?? string.Empty : string.Empty;

    public override bool Read()
    {
        if (!_reader.Read())
        {
            return false;
        }

        _rowCount++;
        if (_values.Length != _reader.FieldCount)
        {
            _values = new object[_reader.FieldCount];
        }

        _reader.GetValues(_values);
        Array.Clear(_text);
        return true;
    }

    public override CellKind GetKind(int ordinal) => _values[ordinal] switch
    {
        null or DBNull => CellKind.Empty,
        string s => s.Length == 0 ? CellKind.Empty : CellKind.Text,
        bool => CellKind.Boolean,
        DateTime => CellKind.DateTime,
        double or float or decimal or int or long or short or byte => CellKind.Number,
        _ => CellKind.Text,
    };

    public override ReadOnlySpan<char> GetText(int ordinal)
    {
        if (_values[ordinal] is string s)
        {
            return s;
        }

        if (ordinal < _text.Length)
        {
            return _text[ordinal] ??= Convert.ToString(_values[ordinal], CultureInfo.InvariantCulture) ?? string.Empty;
        }

        return Convert.ToString(_values[ordinal], CultureInfo.InvariantCulture);
    }

    public override double GetNumber(int ordinal) => Convert.ToDouble(_values[ordinal], CultureInfo.InvariantCulture);

    public override DateTime GetDateTime(int ordinal) => (DateTime)_values[ordinal];

    public override bool GetBoolean(int ordinal) => (bool)_values[ordinal];

    public override void Dispose() => _reader.Dispose();
}
