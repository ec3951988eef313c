namespace DataImport;

/// <summary>Engine-wide settings and limits. Validated when the container starts; every problem is reported at once.</summary>
public sealed class DataImportOptions
{
    /// <summary>Gets or sets the number of rows written to a sink at once.</summary>
    /// <value>The default is 1000 rows.</value>
    public int BatchSize { get; set; } = 1000;

    /// <summary>Gets or sets how many row errors and skips a job keeps in <see cref="ImportJobDto.Errors"/>.</summary>
    /// <value>The default is 100.</value>
    public int MaxReportedErrors { get; set; } = 100;

    /// <summary>Gets or sets the shortest time between two progress reports of a job.</summary>
    /// <value>The default is 250 milliseconds.</value>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets or sets the most threads that convert and validate the rows of one import at once, the importing thread
    /// included. Rows are read, matched, written and counted in file order on the importing thread, so the results
    /// (counters, records and their order in the sink, row errors, the not-imported file, progress and checkpoints) are
    /// those of a one-thread run. Set 1 to keep each import on one thread, e.g. when a host runs many imports at once.
    /// </summary>
    /// <remarks>
    /// Above 1, the entity's custom validators may run on several threads at once, each on its own record; the other
    /// threads come from the thread pool, and a busy pool only makes the import use fewer of them.
    /// </remarks>
    /// <value>The default is <see cref="Environment.ProcessorCount"/>.</value>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Gets or sets a value indicating whether a large seekable CSV (32 MiB or more, e.g. a file on disk) is parsed on a second
    /// thread, a few hundred rows ahead of the import's conversion (with more than one core), when
    /// <see cref="MaxDegreeOfParallelism"/> is 1 (above 1 a CSV file with a header is cut into blocks of whole records
    /// that the converting threads parse), and whether an XLSX worksheet of 1 MiB or more is inflated on a second thread while its XML is parsed
    /// (<see cref="Xlsx.XlsxReaderOptions.ReadAhead"/>). Turn it off to keep each import on one thread (with
    /// <see cref="MaxDegreeOfParallelism"/> 1), e.g. when a host runs many imports at once.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ReadAhead { get; set; } = true;

    /// <summary>
    /// Gets or sets the file size from which <see cref="ReadAhead"/> applies. Measured on 2 cores: from about 50 MB the
    /// second thread gives 1.2-1.4x the throughput; on 12-20 MB files (well under 100 ms each) its start-up and
    /// scheduling cost made runs slower on average and far less even, so smaller files stay on one thread.
    /// </summary>
    internal long ReadAheadMinBytes { get; set; } = 32L << 20;

    /// <summary>
    /// Gets or sets the cores the import may count on (<see cref="Environment.ProcessorCount"/>, which follows the
    /// process's affinity and CPU limit): read-ahead needs a second one, and the progress count reads freely only while
    /// the import leaves one idle. Tests set it to act out other machines.
    /// </summary>
    internal int ProcessorCount { get; set; } = Environment.ProcessorCount;

    /// <summary>Gets or sets the maximum number of columns a file may have.</summary>
    /// <value>The default is 16,384, a spreadsheet's limit, as <see cref="Xlsx.XlsxReaderOptions.MaxColumns"/>.</value>
    public int MaxColumns { get; set; } = ImportLimits.MaxColumns;

    /// <summary>Gets or sets the maximum length of one CSV record, in characters.</summary>
    /// <value>The default is 1,048,576 characters.</value>
    public int MaxFieldLength { get; set; } = ImportLimits.MaxFieldLength;

    /// <summary>Gets or sets the maximum number of data rows a file may have, or <see langword="null"/> for no limit.</summary>
    /// <value>The default is 10,000,000 rows.</value>
    public int? MaxRows { get; set; } = ImportLimits.MaxRows;

    /// <summary>Gets or sets the maximum size of an uploaded file, in bytes, enforced by the job layer and hosts.</summary>
    /// <value>The default is 1 GiB.</value>
    public long MaxFileBytes { get; set; } = ImportLimits.MaxFileBytes;

    /// <summary>Gets or sets the maximum uncompressed size of one part of an XLSX workbook, in bytes.</summary>
    /// <value>The default is 1 GiB, as <see cref="Xlsx.XlsxReaderOptions.MaxPartUncompressedBytes"/>.</value>
    public long MaxUncompressedBytes { get; set; } = ImportLimits.MaxUncompressedBytes;

    /// <summary>Gets or sets the maximum compression ratio of one part of an XLSX workbook.</summary>
    /// <value>The default is 100 (that is 100 : 1), as <see cref="Xlsx.XlsxReaderOptions.MaxCompressionRatio"/>.</value>
    public int MaxCompressionRatio { get; set; } = ImportLimits.MaxCompressionRatio;
}
