using System.Data.Common;

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
    /// <exception cref="InvalidDataException">The file cannot be read as this type; the message says why.</exception>
    public abstract ValueTask<DbDataReader> OpenAsync(ImportReaderContext context, CancellationToken cancellationToken);

    /// <summary>Gets a value indicating whether <see cref="CountDataRowsAsync"/> can count a file's rows cheaply, for progress.</summary>
    internal virtual bool CountsRows => false;

    /// <summary>Counts the data rows of <paramref name="file"/> from its position, for progress; <see langword="null"/> when it cannot tell.</summary>
    internal virtual ValueTask<int?> CountDataRowsAsync(Stream file, ImportRequest request, CancellationToken cancellationToken) => ValueTask.FromResult<int?>(null);

    /// <summary>
    /// The engine's view of the reader this factory opened; built-in readers read cells without boxing. A source that
    /// reads ahead on its own thread opens <c>idle</c> (when given) while that thread waits (see <see cref="Reading.IdleGate"/>).
    /// </summary>
    internal virtual Reading.RowSource CreateRowSource(DbDataReader reader, ImportRequest request, DataImportOptions options, Reading.IdleGate? idle) =>
        new Reading.DataReaderRowSource(reader, request.HasHeaderRow);
}
