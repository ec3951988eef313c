using System.Data.Common;
using System.Reflection;

namespace DataImport;

/// <summary>
/// Opens files of one type as a <see cref="DbDataReader"/>. DataImport ships <c>csv</c> and <c>xlsx</c>;
/// a host registers its own for other types with <c>AddReader</c>.
/// </summary>
/// <remarks>
/// The reader's <see cref="DbDataReader.GetName"/> gives header names (empty without a header row), and
/// <see cref="DbDataReader.GetValue"/> a <see cref="string"/>, <see cref="double"/>, <see cref="bool"/>,
/// <see cref="DateTime"/> (local time at the request's offset) or <see cref="DBNull"/> per cell. A reader that
/// implements <see cref="IImportRowNumber"/> gives the spreadsheet row number of each row; otherwise rows are
/// numbered consecutively after the header.
/// </remarks>
public abstract class ImportReaderFactory
{
    /// <summary>Gets the file type this factory reads, e.g. <c>csv</c> (compared case-insensitively).</summary>
    public abstract string FileType { get; }

    /// <summary>Opens a file.</summary>
    /// <param name="context">The file and the request's reading options.</param>
    /// <param name="cancellationToken">A token to cancel opening.</param>
    /// <returns>A reader positioned before the first data row.</returns>
    /// <exception cref="InvalidDataException">The file cannot be read as this type; the message says why (or throw <see cref="ImportFileException"/> to say where as properties).</exception>
    public abstract ValueTask<DbDataReader> OpenAsync(ImportReaderContext context, CancellationToken cancellationToken);

    private bool? _countsRows;

    /// <summary>
    /// Gets a value indicating whether this factory overrides <see cref="EstimateRowCountAsync"/>: only then does the engine
    /// ask for an estimate (a factory that does not would cost every import a second file handle or a seek for nothing).
    /// </summary>
    internal bool CountsRows => _countsRows ??= GetType().GetMethod(
        nameof(EstimateRowCountAsync),
        BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
        [typeof(Stream), typeof(ImportRequest), typeof(CancellationToken)])?.DeclaringType != typeof(ImportReaderFactory);

    /// <summary>
    /// Estimates the number of data rows of a file (excluding the header), for progress: the job shows it in
    /// <see cref="ImportJobDto.TotalItems"/> while the import runs; once it ends, <see cref="ImportJobDto.TotalItems"/> is
    /// the exact number of rows read.
    /// </summary>
    /// <param name="file">
    /// The file's content from the start of the data the import reads: the import's own stream, which the engine puts back
    /// where it was afterwards, or, for a file on disk, a second read-only stream over the same file, read while the import runs.
    /// </param>
    /// <param name="request">The request, for its reading options (header row, delimiter, encoding, worksheet).</param>
    /// <param name="cancellationToken">A token to stop estimating; the engine cancels it when the import ends first.</param>
    /// <returns>The estimated number of data rows, or <see langword="null"/> when the factory cannot tell.</returns>
    /// <remarks>
    /// Called only for a file whose stream can seek, and only when a factory overrides this method; the default returns
    /// <see langword="null"/>. Return <see langword="null"/> rather than throw: an estimate must not fail an import.
    /// </remarks>
    protected internal virtual ValueTask<int?> EstimateRowCountAsync(Stream file, ImportRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<int?>(null);

    /// <summary>
    /// The engine's view of the reader this factory opened; built-in readers read cells without boxing. A source that
    /// reads ahead on its own thread opens <c>idle</c> (when given) while that thread waits (see <see cref="Reading.IdleGate"/>).
    /// </summary>
    internal virtual Reading.RowSource CreateRowSource(DbDataReader reader, ImportRequest request, DataImportOptions options, Reading.IdleGate? idle) =>
        new Reading.DataReaderRowSource(reader, request.HasHeaderRow);
}
