using System.Globalization;
using System.Text;
using System.Xml;

namespace DataImport.Xlsx;

/// <summary>One cell of the current row; numbers are kept unboxed, strings as string.</summary>
internal struct XlsxCell
{
    public XlsxCellType Type;
    public double Number;
    public DateTime Date;
    public string? Text;
}

/// <summary>
/// Streams the rows of one worksheet part with a forward-only XmlReader into a reused cell buffer. Memory is bounded by
/// the widest row (at most MaxColumns cells) plus the XmlReader's own buffers; nothing grows with the number of rows.
/// </summary>
internal sealed class XlsxSheetReader : IDisposable
{
    private readonly XmlReader _xml;
    private readonly Reading.ReadAheadStream? _readAhead;
    private readonly XlsxPackage _package;
    private readonly XlsxAtoms _atoms;
    private readonly string[] _sharedStrings;
    private readonly XlsxStyles _styles;
    private readonly bool _date1904;
    private readonly int _maxColumns;
    private readonly string _partName;
    private readonly StringBuilder _builder = new();
    private char[] _chars = new char[128];
    private XlsxCell[] _cells = new XlsxCell[16];
    private int _usedWidth;
    private bool _inSheetData;
    private bool _done;

    // The XmlReader stands on the start of a row element already looked at (to see whether it continued the last row).
    private bool _onRowStart;

    // Malformed XML met while looking past the end of a row: thrown when the next row is read, so that row still counts.
    private XmlException? _deferred;

    public XlsxSheetReader(XlsxPackage package, string partName, XmlNameTable nameTable, string[] sharedStrings, XlsxStyles styles, bool date1904, int maxColumns)
    {
        _partName = partName;
        _package = package;
        _atoms = new XlsxAtoms(nameTable);
        _sharedStrings = sharedStrings;
        _styles = styles;
        _date1904 = date1904;
        _maxColumns = maxColumns;
        _xml = package.OpenSheetXml(partName, nameTable, out _readAhead);
    }

    /// <summary>Gets the cell buffer of the current row; valid indexes are below <see cref="Width"/>, later entries are empty.</summary>
    public XlsxCell[] Cells => _cells;

    /// <summary>Gets the number of buffer entries written for the current row (highest column with a cell element + 1).</summary>
    public int Width => _usedWidth;

    /// <summary>Gets the highest column with a non-empty value in the current row, plus one (0 for a blank row).</summary>
    public int NonEmptyWidth { get; private set; }

    /// <summary>Gets the width the sheet's <c>dimension</c> declares (its last column), once the reader has passed it; 0 when absent.</summary>
    public int DimensionWidth { get; private set; }

    /// <summary>Gets the 1-based spreadsheet row number of the current row.</summary>
    public int RowNumber { get; private set; }

    public bool Date1904 => _date1904;

    /// <summary>Advances to the next row element of sheetData and parses its cells.</summary>
    /// <exception cref="InvalidDataException">Malformed XML, a part over its limits, or a row wider than MaxColumns.</exception>
    public bool ReadRow()
    {
        if (_done)
        {
            ClearRow();
            return false;
        }

        try
        {
            if (_deferred is { } deferred)
            {
                _deferred = null;
                throw deferred;
            }

            return ReadRowCore();
        }
        catch (XmlException ex)
        {
            _done = true;

            // The error's wording looks at the part again (for a DTD): the inflating thread must leave the zip file first.
            _readAhead?.StopReading();
            throw _package.NotWellFormed("worksheet", _partName, ex);
        }
    }

    public void Dispose() => _xml.Dispose();

    private bool ReadRowCore()
    {
        var xml = _xml;
        if (_onRowStart)
        {
            _onRowStart = false;
            ParseRow();
            return true;
        }

        while (xml.Read())
        {
            var nodeType = xml.NodeType;
            if (nodeType == XmlNodeType.Element)
            {
                object name = xml.LocalName;
                if (_inSheetData && ReferenceEquals(name, _atoms.Row))
                {
                    ParseRow();
                    return true;
                }

                if (!_inSheetData && ReferenceEquals(name, _atoms.Dimension))
                {
                    ReadDimension();
                }
                else if (ReferenceEquals(name, _atoms.SheetData))
                {
                    if (xml.IsEmptyElement)
                    {
                        break;
                    }

                    _inSheetData = true;
                }
            }
            else if (nodeType == XmlNodeType.EndElement && ReferenceEquals(xml.LocalName, _atoms.SheetData))
            {
                break;
            }
        }

        _done = true;
        ClearRow();
        return false;
    }

    private void ClearRow()
    {
        Array.Clear(_cells, 0, _usedWidth);
        _usedWidth = 0;
        NonEmptyWidth = 0;
    }

    /// <summary>
    /// Parses the row element the reader stands on, and every following row element with the same <c>r</c>: some
    /// generators write each cell in a row element of its own, and Excel reads them as one row.
    /// </summary>
    private void ParseRow()
    {
        ClearRow();
        RowNumber = ReadRowNumber();
        int nextColumn = 0;
        ParseCells(ref nextColumn);
        while (NextRowContinues())
        {
            ParseCells(ref nextColumn);
        }
    }

    /// <summary>The row element's <c>r</c>, or the running position when it has none.</summary>
    private int ReadRowNumber()
    {
        var xml = _xml;
        int rowNumber = RowNumber + 1;
        if (xml.HasAttributes)
        {
            while (xml.MoveToNextAttribute())
            {
                if (ReferenceEquals(xml.LocalName, _atoms.R) && xml.NamespaceURI.Length == 0)
                {
                    int n = ReadAttributeChars();
                    if (TryParsePositiveInt(_chars.AsSpan(0, n), out int r))
                    {
                        rowNumber = r;
                    }
                }
            }

            xml.MoveToElement();
        }

        return rowNumber;
    }

    /// <summary>Parses the cells of the row element the reader stands on; leaves the reader on its end.</summary>
    private void ParseCells(ref int nextColumn)
    {
        var xml = _xml;
        if (xml.IsEmptyElement)
        {
            return;
        }

        while (xml.Read())
        {
            var nodeType = xml.NodeType;
            if (nodeType == XmlNodeType.Element)
            {
                if (ReferenceEquals(xml.LocalName, _atoms.C))
                {
                    nextColumn = ParseCell(nextColumn) + 1;
                }
            }
            else if (nodeType == XmlNodeType.EndElement && ReferenceEquals(xml.LocalName, _atoms.Row))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Looks at what follows the row just parsed: true, standing on it, when it is a row element with the same number;
    /// otherwise the next row is left for the next <see cref="ReadRow"/> (or the sheet's end noted).
    /// </summary>
    private bool NextRowContinues()
    {
        var xml = _xml;
        try
        {
            while (xml.Read())
            {
                var nodeType = xml.NodeType;
                if (nodeType == XmlNodeType.Element && ReferenceEquals(xml.LocalName, _atoms.Row))
                {
                    // A row element without r takes the running position, so it never continues the last row.
                    if (ReadRowNumber() == RowNumber)
                    {
                        return true;
                    }

                    _onRowStart = true;
                    return false;
                }

                if (nodeType == XmlNodeType.EndElement && ReferenceEquals(xml.LocalName, _atoms.SheetData))
                {
                    _done = true;
                    return false;
                }
            }

            _done = true;
            return false;
        }
        catch (XmlException ex)
        {
            _deferred = ex;
            return false;
        }
    }

    /// <summary>Reads the last column of <c>dimension ref="A1:E20"</c>; a width beyond MaxColumns is ignored (the cells themselves are checked).</summary>
    private void ReadDimension()
    {
        var reference = _xml.GetAttribute("ref");
        if (reference is null)
        {
            return;
        }

        int width = 0;
        foreach (var part in reference.Split(':'))
        {
            width = Math.Max(width, ParseColumn(part.AsSpan().Trim()) + 1);
        }

        DimensionWidth = width <= _maxColumns ? width : 0;
    }

    /// <summary>Parses one c element; returns its 0-based column.</summary>
    private int ParseCell(int column)
    {
        var xml = _xml;
        bool empty = xml.IsEmptyElement;
        char type = 'n';
        int style = 0;
        if (xml.HasAttributes)
        {
            while (xml.MoveToNextAttribute())
            {
                object name = xml.LocalName;
                if (xml.NamespaceURI.Length != 0)
                {
                    continue;
                }

                if (ReferenceEquals(name, _atoms.R))
                {
                    int n = ReadAttributeChars();
                    int col = ParseColumn(_chars.AsSpan(0, n));
                    if (col >= 0)
                    {
                        column = col;
                    }
                }
                else if (ReferenceEquals(name, _atoms.T))
                {
                    int n = ReadAttributeChars();
                    type = ClassifyType(_chars.AsSpan(0, n));
                }
                else if (ReferenceEquals(name, _atoms.S))
                {
                    int n = ReadAttributeChars();
                    if (!TryParsePositiveInt(_chars.AsSpan(0, n), out style))
                    {
                        style = 0;
                    }
                }
            }

            xml.MoveToElement();
        }

        if (column >= _maxColumns)
        {
            throw new InvalidDataException(
                $"Row {RowNumber} of worksheet part '{_partName}' has a cell in column {column + 1:N0}, beyond the MaxColumns limit of {_maxColumns:N0}. " +
                "If the file is trusted, raise XlsxReaderOptions.MaxColumns.");
        }

        EnsureColumn(column);
        ref var cell = ref _cells[column];
        cell = default;
        if (empty)
        {
            return column;
        }

        int valueLength = -1;
        string? inline = null;
        while (xml.Read())
        {
            var nodeType = xml.NodeType;
            if (nodeType == XmlNodeType.Element)
            {
                object name = xml.LocalName;
                if (ReferenceEquals(name, _atoms.V))
                {
                    valueLength = xml.IsEmptyElement ? 0 : ReadElementChars();
                }
                else if (ReferenceEquals(name, _atoms.Is))
                {
                    inline = xml.IsEmptyElement ? string.Empty : XlsxSharedStrings.ReadRichText(xml, _atoms, _builder);
                }
            }
            else if (nodeType == XmlNodeType.EndElement && ReferenceEquals(xml.LocalName, _atoms.C))
            {
                break;
            }
        }

        if (inline is not null)
        {
            cell.Type = XlsxCellType.String;
            cell.Text = inline;
        }
        else if (valueLength >= 0)
        {
            SetValue(ref cell, type, _chars.AsSpan(0, valueLength), style);
        }

        if (cell.Type != XlsxCellType.Empty && column + 1 > NonEmptyWidth)
        {
            NonEmptyWidth = column + 1;
        }

        return column;
    }

    private static readonly double[] PowersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Parses the common cell values (an optional minus, at most 15 digits, at most one decimal point, no exponent)
    /// without the general parser. Exact: the digits form an integer below 2^53 and 10^k is exact for k ≤ 22, so one
    /// IEEE division is correctly rounded, the same double <see cref="double.Parse(string)"/> returns. Anything else
    /// falls back to the general parser.
    /// </summary>
    internal static bool TryParseSimpleNumber(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] == '-')
        {
            negative = true;
            i = 1;
        }

        long mantissa = 0;
        var digits = 0;
        var fraction = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9')
            {
                if (++digits > 15)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + (c - '0');
                if (fraction >= 0)
                {
                    fraction++;
                }
            }
            else if (c == '.' && fraction < 0)
            {
                fraction = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        value = fraction > 0 ? mantissa / PowersOf10[fraction] : mantissa;
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private void SetValue(ref XlsxCell cell, char type, ReadOnlySpan<char> value, int style)
    {
        switch (type)
        {
            case 'n':
                if (value.Length == 0)
                {
                    return;
                }

                if (TryParseSimpleNumber(value, out double number) || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
                {
                    cell.Number = number;
                    if (_styles.IsDateStyle(style) && XlsxDates.TryFromSerial(number, _date1904, out var date))
                    {
                        cell.Type = XlsxCellType.DateTime;
                        cell.Date = date;
                    }
                    else if (_styles.IsDurationStyle(style) && double.IsFinite(number))
                    {
                        // An elapsed time is a length, not a point: no date system, no 1900 leap-year shift (59 and 60 differ).
                        cell.Type = XlsxCellType.Duration;
                    }
                    else
                    {
                        cell.Type = XlsxCellType.Number;
                    }
                }
                else
                {
                    cell.Type = XlsxCellType.String;
                    cell.Text = new string(value);
                }

                return;
            case 's':
                if (value.Length == 0)
                {
                    return;
                }

                if (!TryParsePositiveInt(value.Trim(), out int index, allowZero: true) || index >= _sharedStrings.Length)
                {
                    throw new InvalidDataException(
                        $"Row {RowNumber} of worksheet part '{_partName}' refers to shared string '{value}', but the workbook has {_sharedStrings.Length:N0} shared strings. The file is corrupt.");
                }

                cell.Type = XlsxCellType.String;
                cell.Text = _sharedStrings[index];
                return;
            case 'b':
                value = value.Trim();
                if (value.Length == 0)
                {
                    return;
                }

                cell.Type = XlsxCellType.Boolean;
                cell.Number = value.SequenceEqual("1") || value.Equals("true", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
                return;
            case 'e':
                cell.Type = XlsxCellType.Error;
                cell.Text = new string(value);
                return;
            case 'd':
                if (value.Length == 0)
                {
                    return;
                }

                // Strict OOXML writes dates, times and elapsed times as ISO 8601 text; each reads as its transitional twin
                // (the number with a date, time or elapsed-time format) would.
                if (XlsxDates.TryParseIsoDuration(value.Trim(), out double days))
                {
                    cell.Type = XlsxCellType.Duration;
                    cell.Number = days;
                }
                else if (XlsxDates.TryParseTimeOfDay(value.Trim(), out double fraction))
                {
                    cell.Number = fraction;
                    if (_styles.IsDurationStyle(style))
                    {
                        cell.Type = XlsxCellType.Duration;
                    }
                    else if (XlsxDates.TryFromSerial(fraction, _date1904, out var time))
                    {
                        cell.Type = XlsxCellType.DateTime;
                        cell.Date = time;
                    }
                }
                else if (XlsxDates.TryParseIsoDateTime(value.Trim(), out var exact))
                {
                    cell.Type = XlsxCellType.DateTime;
                    cell.Date = exact;
                    cell.Number = XlsxDates.ToSerial(cell.Date, _date1904);
                }
                else if (DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AllowWhiteSpaces, out var iso))
                {
                    cell.Type = XlsxCellType.DateTime;
                    cell.Date = XlsxDates.RoundToMillisecond(iso);
                    cell.Number = XlsxDates.ToSerial(cell.Date, _date1904);
                }
                else
                {
                    cell.Type = XlsxCellType.String;
                    cell.Text = new string(value);
                }

                return;
            default:
                // "str" (formula string result), "inlineStr" with a v element, or an unknown type: keep the text.
                cell.Type = XlsxCellType.String;
                cell.Text = new string(value);
                return;
        }
    }

    private static char ClassifyType(ReadOnlySpan<char> t) => t switch
    {
        "s" => 's',
        "n" or "" => 'n',
        "b" => 'b',
        "e" => 'e',
        "str" => 'f',
        "inlineStr" => 'i',
        "d" => 'd',
        _ => 'x',
    };

    private void EnsureColumn(int column)
    {
        if (column >= _cells.Length)
        {
            int size = _cells.Length;
            while (size <= column)
            {
                size *= 2;
            }

            Array.Resize(ref _cells, Math.Min(size, _maxColumns));
        }

        if (column >= _usedWidth)
        {
            _usedWidth = column + 1;
        }
    }

    /// <summary>Copies the current attribute value into the char buffer without allocating; long values are truncated to the buffer.</summary>
    private int ReadAttributeChars()
    {
        int total = 0;
        int n;
        while (total < _chars.Length && (n = _xml.ReadValueChunk(_chars, total, _chars.Length - total)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>Reads the text content of the current (non-empty) element into the char buffer; leaves the reader on its end element.</summary>
    private int ReadElementChars()
    {
        var xml = _xml;
        int depth = xml.Depth;
        int total = 0;
        while (xml.Read())
        {
            var nodeType = xml.NodeType;
            if (nodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace)
            {
                while (true)
                {
                    if (total == _chars.Length)
                    {
                        Array.Resize(ref _chars, _chars.Length * 2);
                    }

                    int n = xml.ReadValueChunk(_chars, total, _chars.Length - total);
                    if (n == 0)
                    {
                        break;
                    }

                    total += n;
                }
            }
            else if (nodeType == XmlNodeType.EndElement && xml.Depth == depth)
            {
                return total;
            }
        }

        throw new XmlException("Unexpected end of the XML document inside a cell value.");
    }

    /// <summary>Parses the letters of a cell reference such as "AB12" into a 0-based column; -1 when there are no letters.</summary>
    private static int ParseColumn(ReadOnlySpan<char> reference)
    {
        int column = 0;
        int i = 0;
        for (; i < reference.Length; i++)
        {
            int c = reference[i] | 0x20;
            if (c is < 'a' or > 'z')
            {
                break;
            }

            column = (column * 26) + (c - 'a' + 1);
            if (column > 1_000_000)
            {
                return int.MaxValue - 1;
            }
        }

        return i == 0 ? -1 : column - 1;
    }

    private static bool TryParsePositiveInt(ReadOnlySpan<char> s, out int value, bool allowZero = false)
    {
        value = 0;
        if (s.Length is 0 or > 10)
        {
            return false;
        }

        long v = 0;
        foreach (char c in s)
        {
            uint d = (uint)(c - '0');
            if (d > 9)
            {
                return false;
            }

            v = (v * 10) + d;
        }

        if (v > int.MaxValue || (v == 0 && !allowZero))
        {
            return false;
        }

        value = (int)v;
        return true;
    }
}
