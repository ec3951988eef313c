namespace DataImport;

/// <summary>What a reader needs to open one file: the stream and the request's reading options and limits.</summary>
public sealed class ImportReaderContext
{
    internal ImportReaderContext(Stream file, ImportRequest request, DataImportOptions options)
    {
        File = file;
        FileName = request.FileName;
        HasHeaderRow = request.HasHeaderRow;
        Sheet = request.Sheet;
        Delimiter = request.Delimiter;
        Encoding = request.Encoding;
        Culture = request.Culture;
        MaxColumns = options.MaxColumns;
        MaxFieldLength = options.MaxFieldLength;
        MaxUncompressedBytes = options.MaxUncompressedBytes;
        MaxCompressionRatio = options.MaxCompressionRatio;
        ReadAhead = options.ReadAhead;
        ConvertingThreads = options.MaxDegreeOfParallelism;
    }

    /// <summary>Gets the file content.</summary>
    public Stream File { get; }

    /// <summary>Gets the file's original name, metadata only.</summary>
    public string? FileName { get; }

    /// <summary>Gets a value indicating whether the first row holds column names.</summary>
    public bool HasHeaderRow { get; }

    /// <summary>Gets the worksheet name or 1-based index, for workbook types; <see langword="null"/> for the first.</summary>
    public string? Sheet { get; }

    /// <summary>Gets the declared field delimiter, or <see langword="null"/> to detect it.</summary>
    public char? Delimiter { get; }

    /// <summary>Gets the declared text encoding name, or <see langword="null"/> for a BOM or UTF-8.</summary>
    public string? Encoding { get; }

    /// <summary>Gets the request's culture.</summary>
    public System.Globalization.CultureInfo Culture { get; }

    /// <summary>Gets the maximum number of columns a file may have.</summary>
    public int MaxColumns { get; }

    /// <summary>Gets the maximum length of one field or record, in characters.</summary>
    public int MaxFieldLength { get; }

    /// <summary>Gets the maximum uncompressed size of one part of a compressed file, in bytes.</summary>
    public long MaxUncompressedBytes { get; }

    /// <summary>Gets the maximum compression ratio of one part of a compressed file.</summary>
    public int MaxCompressionRatio { get; }

    /// <summary>Gets the delimiter the not-imported file uses; the built-in CSV reader sets the source's delimiter.</summary>
    /// <value>The default is a comma.</value>
    public char OutputDelimiter { get; internal set; } = ',';

    /// <summary>
    /// Gets a value indicating whether a file read without a header row starts with the header line of a not-imported
    /// file (blank names, then <c>Row</c> and <c>Reason</c>): that line is not data, and the last two columns are the
    /// earlier run's row and reason. Set by the built-in CSV reader.
    /// </summary>
    internal bool StartsWithNotImportedHeader { get; set; }

    /// <summary>Gets <see cref="DataImportOptions.ReadAhead"/>: whether the built-in readers may read ahead on a second thread.</summary>
    internal bool ReadAhead { get; }

    /// <summary>
    /// Gets <see cref="DataImportOptions.MaxDegreeOfParallelism"/>: above 1 the built-in CSV reader hands its data rows over
    /// in blocks that the converting threads parse (<see cref="Csv.CsvBlockSource"/>).
    /// </summary>
    internal int ConvertingThreads { get; }
}
