using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Xml;

namespace DataImport.Xlsx;

/// <summary>
/// A forward-only, streaming <see cref="DbDataReader"/> over one worksheet of an XLSX workbook. Rows are parsed one at a time
/// into a reused buffer; only the shared-string table is held in memory (within <see cref="XlsxReaderOptions"/> limits).
/// Values are typed per cell: <see cref="string"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="System.DateTime"/>,
/// <see cref="TimeSpan"/> (elapsed-time formats such as <c>[h]:mm:ss</c>) or <see cref="DBNull"/>; error cells yield their
/// error text (see <see cref="IsError(int)"/>).
/// </summary>
/// <remarks>The reader does not dispose the stream it was created from; a temporary copy made for a non-seekable stream is deleted on dispose.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1010:Generic interface should also be implemented", Justification = "DbDataReader is non-generic by design; records are enumerated as IDataRecord.")]
public sealed class XlsxDataReader : DbDataReader
{
    private static readonly Task<bool> TrueTask = Task.FromResult(true);
    private static readonly Task<bool> FalseTask = Task.FromResult(false);

    private readonly Stream? _ownedStream;
    private readonly XlsxPackage _package;
    private readonly XlsxSheetReader _sheet;
    private readonly string[] _names;
    private readonly string[] _sheetNames;
    private bool _pending;
    private bool _onRow;
    private int _width;
    private bool _closed;

    private XlsxDataReader(Stream? ownedStream, XlsxPackage package, XlsxSheetReader sheet, string sheetName, string[] sheetNames, bool hasHeaderRow)
    {
        _ownedStream = ownedStream;
        _package = package;
        _sheet = sheet;
        SheetName = sheetName;
        _sheetNames = sheetNames;

        // Leading blank rows are skipped: the header (or, without one, the column count) comes from the first non-blank row.
        bool found;
        while ((found = sheet.ReadRow()) && sheet.NonEmptyWidth == 0)
        {
        }

        if (hasHeaderRow)
        {
            _names = new string[found ? sheet.NonEmptyWidth : 0];
            for (int i = 0; i < _names.Length; i++)
            {
                ref var cell = ref sheet.Cells[i];
                _names[i] = cell.Type == XlsxCellType.Empty ? string.Empty : FormatCell(in cell);
            }

            _pending = sheet.ReadRow();
        }
        else
        {
            _names = new string[found ? sheet.NonEmptyWidth : 0];
            Array.Fill(_names, string.Empty);
            _pending = found;
        }

        // The width comes from the data, not the first row alone (a one-cell title row above the table is common): the
        // sheet's dimension, the first data row, and then every row read (see FieldCount).
        _width = Math.Max(_names.Length, sheet.DimensionWidth);
        if (_pending)
        {
            _width = Math.Max(_width, sheet.NonEmptyWidth);
        }

        HasRows = _pending;
    }

    /// <summary>Gets the 1-based spreadsheet row number (the row's <c>r</c> attribute, or its running position) of the current row.</summary>
    /// <value>The row number of the current row, or 0 before the first <see cref="Read"/>.</value>
    public int RowNumber => _onRow ? _sheet.RowNumber : 0;

    /// <summary>Gets the names of all sheets of the workbook, in workbook order.</summary>
    /// <value>The sheet names; never empty.</value>
    public IReadOnlyList<string> SheetNames => _sheetNames;

    /// <summary>Gets the name of the worksheet being read.</summary>
    /// <value>The selected sheet's name.</value>
    public string SheetName { get; }

    /// <summary>Gets the number of fields of the current row: its highest non-empty column, which may be more or less than <see cref="FieldCount"/>.</summary>
    /// <value>The current row's width; cells at or beyond <see cref="FieldCount"/> are readable by ordinal but not part of the schema.</value>
    public int RowFieldCount => _onRow ? _sheet.NonEmptyWidth : 0;

    /// <inheritdoc/>
    /// <value>
    /// The widest of: the header row (or, without one, the first non-blank row), the sheet's <c>dimension</c> when it has one,
    /// the first data row, and every row read so far; it grows while rows are read when a later row is wider.
    /// Columns beyond a row's own cells are empty.
    /// </value>
    public override int FieldCount => _width;

    /// <inheritdoc/>
    public override bool HasRows { get; }

    /// <inheritdoc/>
    public override bool IsClosed => _closed;

    /// <inheritdoc/>
    /// <value>Always -1.</value>
    public override int RecordsAffected => -1;

    /// <inheritdoc/>
    /// <value>Always 0.</value>
    public override int Depth => 0;

    /// <inheritdoc/>
    public override object this[int ordinal] => GetValue(ordinal);

    /// <inheritdoc/>
    public override object this[string name] => GetValue(GetOrdinal(name));

    /// <summary>Opens an XLSX workbook and positions the reader before the first data row of the selected worksheet.</summary>
    /// <param name="stream">The XLSX content; a non-seekable stream is first copied to a temporary file. It is not disposed by the reader.</param>
    /// <param name="options">Sheet selection, header and limit options; <see langword="null"/> uses the defaults.</param>
    /// <returns>A reader positioned before the first data row.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="InvalidDataException">The content is not an XLSX workbook, the sheet does not exist, or a safety limit is exceeded.</exception>
    public static XlsxDataReader Create(Stream stream, XlsxReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            return Open(stream, null, options ?? new XlsxReaderOptions());
        }

        var temp = CreateTempFile();
        try
        {
            stream.CopyTo(temp);
            temp.Position = 0;
            return Open(temp, temp, options ?? new XlsxReaderOptions());
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    /// <summary>Opens an XLSX workbook, copying a non-seekable stream to a temporary file asynchronously first.</summary>
    /// <param name="stream">The XLSX content; it is not disposed by the reader.</param>
    /// <param name="options">Sheet selection, header and limit options; <see langword="null"/> uses the defaults.</param>
    /// <param name="cancellationToken">Cancels the copy of a non-seekable stream.</param>
    /// <returns>A reader positioned before the first data row.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="InvalidDataException">The content is not an XLSX workbook, the sheet does not exist, or a safety limit is exceeded.</exception>
    /// <exception cref="OperationCanceledException">The operation was canceled.</exception>
    public static async Task<XlsxDataReader> CreateAsync(Stream stream, XlsxReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        cancellationToken.ThrowIfCancellationRequested();
        if (stream.CanSeek)
        {
            return Open(stream, null, options ?? new XlsxReaderOptions());
        }

        var temp = CreateTempFile();
        try
        {
            await stream.CopyToAsync(temp, cancellationToken).ConfigureAwait(false);
            temp.Position = 0;
            cancellationToken.ThrowIfCancellationRequested();
            return Open(temp, temp, options ?? new XlsxReaderOptions());
        }
        catch
        {
            await temp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Gets the kind of value in a cell of the current row.</summary>
    /// <param name="ordinal">The zero-based column.</param>
    /// <returns>The cell type; <see cref="XlsxCellType.Empty"/> for a missing cell.</returns>
    /// <exception cref="InvalidOperationException">The reader is not on a row.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ordinal"/> is negative or beyond both <see cref="FieldCount"/> and <see cref="RowFieldCount"/>.</exception>
    public XlsxCellType GetCellType(int ordinal) => Cell(ordinal).Type;

    /// <summary>Gets a value indicating whether a cell of the current row is an error cell such as <c>#N/A</c>.</summary>
    /// <param name="ordinal">The zero-based column.</param>
    /// <returns><see langword="true"/> for an error cell, whose value is its error text.</returns>
    /// <exception cref="InvalidOperationException">The reader is not on a row.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ordinal"/> is out of range.</exception>
    public bool IsError(int ordinal) => Cell(ordinal).Type == XlsxCellType.Error;

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">The worksheet is malformed or over a safety limit.</exception>
    public override bool Read()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_pending)
        {
            _pending = false;
            _onRow = true;
            return true;
        }

        bool ok = _sheet.ReadRow();
        _onRow = ok;
        if (ok && _sheet.NonEmptyWidth > _width)
        {
            _width = _sheet.NonEmptyWidth;
        }

        return ok;
    }

    /// <inheritdoc/>
    /// <remarks>Runs synchronously (the data is already local or in a temporary file) and returns a completed task.</remarks>
    public override Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<bool>(cancellationToken);
        }

        try
        {
            return Read() ? TrueTask : FalseTask;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ObjectDisposedException)
        {
            return Task.FromException<bool>(ex);
        }
    }

    /// <inheritdoc/>
    /// <value>Always <see langword="false"/>: one reader reads one worksheet.</value>
    public override bool NextResult() => false;

    /// <inheritdoc/>
    public override string GetName(int ordinal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        return ordinal < _names.Length ? _names[ordinal] : string.Empty;
    }

    /// <inheritdoc/>
    /// <exception cref="IndexOutOfRangeException">No header has that name (compared exactly first, then ignoring case).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2201:Do not raise reserved exception types", Justification = "IndexOutOfRangeException is the documented IDataRecord.GetOrdinal contract.")]
    public override int GetOrdinal(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = Array.IndexOf(_names, name);
        if (index >= 0)
        {
            return index;
        }

        for (int i = 0; i < _names.Length; i++)
        {
            if (string.Equals(_names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new IndexOutOfRangeException($"The worksheet '{SheetName}' has no column named '{name}'.");
    }

    /// <inheritdoc/>
    /// <returns>Always <see cref="object"/>: a column can hold values of several types.</returns>
    public override Type GetFieldType(int ordinal) => typeof(object);

    /// <inheritdoc/>
    public override string GetDataTypeName(int ordinal) => "object";

    /// <inheritdoc/>
    /// <returns>A <see cref="string"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="System.DateTime"/>, <see cref="TimeSpan"/>, error text, or <see cref="DBNull.Value"/>.</returns>
    public override object GetValue(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        return cell.Type switch
        {
            XlsxCellType.String or XlsxCellType.Error => cell.Text!,
            XlsxCellType.Number => cell.Number,
            XlsxCellType.Boolean => cell.Number != 0,
            XlsxCellType.DateTime => cell.Date,
            XlsxCellType.Duration => XlsxDates.ToDuration(cell.Number),
            _ => DBNull.Value,
        };
    }

    /// <inheritdoc/>
    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = Math.Min(values.Length, FieldCount);
        for (int i = 0; i < n; i++)
        {
            values[i] = GetValue(i);
        }

        return n;
    }

    /// <inheritdoc/>
    public override bool IsDBNull(int ordinal) => Cell(ordinal).Type == XlsxCellType.Empty;

    /// <inheritdoc/>
    /// <remarks>Numbers use the invariant shortest round-trip form, booleans TRUE/FALSE, dates ISO 8601 (date only when there is no time).</remarks>
    /// <exception cref="InvalidCastException">The cell is empty.</exception>
    public override string GetString(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        return cell.Type == XlsxCellType.Empty ? throw EmptyCell(ordinal) : FormatCell(in cell);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is empty or not numeric.</exception>
    public override double GetDouble(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        switch (cell.Type)
        {
            case XlsxCellType.Number or XlsxCellType.Boolean or XlsxCellType.DateTime or XlsxCellType.Duration:
                return cell.Number;
            case XlsxCellType.String when double.TryParse(cell.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d):
                return d;
            case XlsxCellType.Empty:
                throw EmptyCell(ordinal);
            default:
                throw Cast(ordinal, cell.Type, "a number");
        }
    }

    /// <inheritdoc/>
    /// <remarks>A number is read as a date serial in the workbook's date system (1900 or 1904).</remarks>
    /// <exception cref="InvalidCastException">The cell is empty, or not a date or a valid date serial.</exception>
    public override DateTime GetDateTime(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        switch (cell.Type)
        {
            case XlsxCellType.DateTime:
                return cell.Date;
            case XlsxCellType.Number or XlsxCellType.Duration when XlsxDates.TryFromSerial(cell.Number, _sheet.Date1904, out var date):
                return date;
            case XlsxCellType.String when DateTime.TryParse(cell.Text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed):
                return DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified);
            case XlsxCellType.Empty:
                throw EmptyCell(ordinal);
            default:
                throw Cast(ordinal, cell.Type, "a date");
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is empty or not a boolean, a number or the text TRUE/FALSE.</exception>
    public override bool GetBoolean(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        switch (cell.Type)
        {
            case XlsxCellType.Boolean or XlsxCellType.Number:
                return cell.Number != 0;
            case XlsxCellType.String when bool.TryParse(cell.Text, out bool b):
                return b;
            case XlsxCellType.Empty:
                throw EmptyCell(ordinal);
            default:
                throw Cast(ordinal, cell.Type, "a boolean");
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is not an integral number in range.</exception>
    public override long GetInt64(int ordinal)
    {
        double d = GetDouble(ordinal);
        return d == Math.Floor(d) && d >= long.MinValue && d < 9.2233720368547758E18 ? (long)d : throw Cast(ordinal, Cell(ordinal).Type, "a 64-bit integer");
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is not an integral number in range.</exception>
    public override int GetInt32(int ordinal)
    {
        long v = GetInt64(ordinal);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Cast(ordinal, Cell(ordinal).Type, "a 32-bit integer");
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is not an integral number in range.</exception>
    public override short GetInt16(int ordinal)
    {
        long v = GetInt64(ordinal);
        return v is >= short.MinValue and <= short.MaxValue ? (short)v : throw Cast(ordinal, Cell(ordinal).Type, "a 16-bit integer");
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is not an integral number in range.</exception>
    public override byte GetByte(int ordinal)
    {
        long v = GetInt64(ordinal);
        return v is >= byte.MinValue and <= byte.MaxValue ? (byte)v : throw Cast(ordinal, Cell(ordinal).Type, "a byte");
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is not a number within the decimal range.</exception>
    public override decimal GetDecimal(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        if (cell.Type == XlsxCellType.String && decimal.TryParse(cell.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal m))
        {
            return m;
        }

        double d = GetDouble(ordinal);
        return Math.Abs(d) < 7.9e28 ? new decimal(d) : throw Cast(ordinal, cell.Type, "a decimal");
    }

    /// <inheritdoc/>
    public override float GetFloat(int ordinal) => (float)GetDouble(ordinal);

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is not a GUID string.</exception>
    public override Guid GetGuid(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        return cell.Type == XlsxCellType.String && Guid.TryParse(cell.Text, out var g) ? g : throw Cast(ordinal, cell.Type, "a GUID");
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidCastException">The cell is not a one-character string.</exception>
    public override char GetChar(int ordinal)
    {
        ref var cell = ref Cell(ordinal);
        return cell.Type == XlsxCellType.String && cell.Text!.Length == 1 ? cell.Text[0] : throw Cast(ordinal, cell.Type, "a character");
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Always: XLSX cells hold no binary data.</exception>
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("XLSX cells hold no binary data.");

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Always: use <see cref="GetString(int)"/>.</exception>
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("Use GetString to read XLSX cell text.");

    /// <inheritdoc/>
    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    /// <inheritdoc/>
    public override void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _onRow = false;
        _pending = false;
        _sheet.Dispose();
        _package.Dispose();
        _ownedStream?.Dispose();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }

        base.Dispose(disposing);
    }

    private static FileStream CreateTempFile() => new(
        Path.Combine(Path.GetTempPath(), "xlsx-" + Path.GetRandomFileName()),
        FileMode.CreateNew,
        FileAccess.ReadWrite,
        FileShare.None,
        81920,
        FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    private static XlsxDataReader Open(Stream seekable, Stream? owned, XlsxReaderOptions options)
    {
        var package = XlsxPackage.Open(seekable, options);
        XlsxSheetReader? sheet = null;
        try
        {
            var nameTable = new NameTable();
            var workbook = XlsxWorkbook.Load(package, nameTable);
            var selected = workbook.SelectSheet(options.Sheet);
            if (selected.PartName is null || !package.Exists(selected.PartName))
            {
                throw new InvalidDataException($"The sheet '{selected.Name}' of the XLSX workbook has no worksheet part; the file is corrupt.");
            }

            var styles = XlsxStyles.Load(package, workbook.StylesPart, nameTable);
            var shared = XlsxSharedStrings.Load(package, workbook.SharedStringsPart, nameTable, options);
            sheet = new XlsxSheetReader(package, selected.PartName, nameTable, shared, styles, workbook.Date1904, options.MaxColumns);
            var names = new string[workbook.Sheets.Count];
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = workbook.Sheets[i].Name;
            }

            return new XlsxDataReader(owned, package, sheet, selected.Name, names, options.HasHeaderRow);
        }
        catch
        {
            sheet?.Dispose();
            package.Dispose();
            throw;
        }
    }

    private static string FormatCell(in XlsxCell cell) => cell.Type switch
    {
        XlsxCellType.String or XlsxCellType.Error => cell.Text!,
        XlsxCellType.Number => cell.Number.ToString(CultureInfo.InvariantCulture),
        XlsxCellType.Boolean => cell.Number != 0 ? "TRUE" : "FALSE",
        XlsxCellType.DateTime => FormatDate(cell.Date),
        XlsxCellType.Duration => FormatDuration(XlsxDates.ToDuration(cell.Number)),
        _ => string.Empty,
    };

    /// <summary>An elapsed time as <c>[h]:mm:ss</c> shows it: whole hours however many, <c>.fff</c> only when there are milliseconds.</summary>
    private static string FormatDuration(TimeSpan duration)
    {
        var length = duration.Duration();
        var text = string.Create(CultureInfo.InvariantCulture, $"{(long)length.TotalHours}:{length.Minutes:00}:{length.Seconds:00}");
        if (length.Milliseconds != 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $".{length.Milliseconds:000}");
        }

        return duration < TimeSpan.Zero ? "-" + text : text;
    }

    private static string FormatDate(DateTime date)
    {
        if (date.TimeOfDay == TimeSpan.Zero)
        {
            return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return date.Millisecond == 0
            ? date.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : date.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);
    }

    private ref XlsxCell Cell(int ordinal)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (!_onRow)
        {
            throw new InvalidOperationException("No current row: call Read() and check that it returned true before reading values.");
        }

        if ((uint)ordinal >= (uint)Math.Max(FieldCount, _sheet.Width))
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"The ordinal must be between 0 and {Math.Max(FieldCount, _sheet.Width) - 1}.");
        }

        return ref _sheet.Cells[ordinal];
    }

    private InvalidCastException EmptyCell(int ordinal) =>
        new($"The cell in column {ordinal + 1} of row {RowNumber} is empty; check IsDBNull first.");

    private InvalidCastException Cast(int ordinal, XlsxCellType type, string target) =>
        new($"The {type} cell in column {ordinal + 1} of row {RowNumber} cannot be read as {target}.");
}
