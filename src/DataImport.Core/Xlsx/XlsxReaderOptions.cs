namespace DataImport.Xlsx;

/// <summary>Options controlling which worksheet an <see cref="XlsxDataReader"/> reads and the safety limits it enforces.</summary>
public sealed class XlsxReaderOptions
{
    private long _maxPartUncompressedBytes = ImportLimits.MaxUncompressedBytes;
    private double _maxCompressionRatio = ImportLimits.MaxCompressionRatio;
    private int _maxSharedStrings = ImportLimits.MaxSharedStrings;
    private long _maxSharedStringBytes = ImportLimits.MaxSharedStringBytes;
    private int _maxColumns = ImportLimits.MaxColumns;

    /// <summary>Gets or sets the worksheet to read: a sheet name (case-insensitive) or a 1-based sheet index written as digits such as <c>"2"</c>.</summary>
    /// <value>The sheet name or index; <see langword="null"/> (the default) selects the first sheet in workbook order.</value>
    public string? Sheet { get; set; }

    /// <summary>Gets or sets a value indicating whether the first non-blank row holds the column names rather than data.</summary>
    /// <value><see langword="true"/> by default.</value>
    public bool HasHeaderRow { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a worksheet of 1 MiB or more (uncompressed) is inflated on a second thread,
    /// a few hundred kilobytes ahead, while its XML is parsed (with more than one processor). Turn it off to keep the
    /// reader on the calling thread.
    /// </summary>
    /// <value><see langword="true"/> by default. The engine sets it from <see cref="DataImportOptions.ReadAhead"/>.</value>
    public bool ReadAhead { get; set; } = true;

    /// <summary>Gets or sets the largest uncompressed size, in bytes, accepted for any single part (XML file) of the workbook, checked on the declared size and while decompressing.</summary>
    /// <value>1 GiB by default, as <see cref="DataImportOptions.MaxUncompressedBytes"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxPartUncompressedBytes
    {
        get => _maxPartUncompressedBytes;
        set => _maxPartUncompressedBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Gets or sets the largest accepted ratio of uncompressed to compressed size for a part, checked on the declared sizes and while decompressing (zip-bomb protection).</summary>
    /// <value>100 (that is 100 : 1) by default, as <see cref="DataImportOptions.MaxCompressionRatio"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a positive finite number.</exception>
    public double MaxCompressionRatio
    {
        get => _maxCompressionRatio;
        set => _maxCompressionRatio = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The ratio must be a positive finite number.");
    }

    /// <summary>Gets or sets the largest number of entries accepted in the shared-string table, which is loaded into memory once.</summary>
    /// <value>5,000,000 by default.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxSharedStrings
    {
        get => _maxSharedStrings;
        set => _maxSharedStrings = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Gets or sets the largest total size of the shared-string table held in memory, counted as UTF-16 bytes (two per character).</summary>
    /// <value>256 MiB (134,217,728 characters) by default.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxSharedStringBytes
    {
        get => _maxSharedStringBytes;
        set => _maxSharedStringBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }

    /// <summary>Gets or sets the largest column number accepted in any row; a cell beyond it makes reading fail.</summary>
    /// <value>16,384 (column XFD, Excel's own maximum) by default, as <see cref="DataImportOptions.MaxColumns"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxColumns
    {
        get => _maxColumns;
        set => _maxColumns = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The limit must be positive.");
    }
}
