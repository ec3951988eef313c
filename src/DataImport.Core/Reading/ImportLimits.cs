namespace DataImport;

/// <summary>
/// The default safety limits, in one place: <see cref="DataImportOptions"/> and <see cref="Xlsx.XlsxReaderOptions"/> start
/// from these values, and their docs quote them, so the engine and a host using the XLSX reader alone agree.
/// </summary>
internal static class ImportLimits
{
    /// <summary>The largest number of columns: 16,384, a spreadsheet's own maximum (column XFD).</summary>
    public const int MaxColumns = 16_384;

    /// <summary>The longest CSV record, in characters: 1,048,576.</summary>
    public const int MaxFieldLength = 1_048_576;

    /// <summary>The largest number of data rows in a file: 10,000,000.</summary>
    public const int MaxRows = 10_000_000;

    /// <summary>The largest uploaded file, in bytes: 1 GiB.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>The largest uncompressed size of one part of a compressed file (an XLSX workbook's XML file), in bytes: 1 GiB.</summary>
    public const long MaxUncompressedBytes = 1L << 30;

    /// <summary>The largest ratio of uncompressed to compressed size of one part (zip-bomb protection): 100 : 1.</summary>
    public const int MaxCompressionRatio = 100;

    /// <summary>The largest number of entries in an XLSX shared-string table: 5,000,000.</summary>
    public const int MaxSharedStrings = 5_000_000;

    /// <summary>The largest total size of an XLSX shared-string table in memory, as UTF-16 bytes: 256 MiB.</summary>
    public const long MaxSharedStringBytes = 256L << 20;
}
