using DataImport.Csv;

namespace DataImport.Reading;

/// <summary>
/// The reading stage's entry: picks the reader factory for a request's file type, opens the file as a
/// <see cref="RowSource"/>, and starts the row-count estimate that progress shows while the import runs.
/// </summary>
internal sealed class ImportSourceOpener
{
    private readonly Dictionary<string, ImportReaderFactory> _readers = new(StringComparer.OrdinalIgnoreCase);
    private readonly DataImportOptions _options;

    public ImportSourceOpener(IEnumerable<ImportReaderFactory> hostReaders, DataImportOptions options)
    {
        _options = options;
        foreach (var reader in BuiltInReaders().Concat(hostReaders))
        {
            _readers[reader.FileType] = reader;
        }
    }

    /// <summary>Gets the file types that can be read, e.g. <c>csv</c> and <c>xlsx</c>.</summary>
    public IReadOnlyCollection<string> FileTypes => _readers.Keys;

    public bool CanRead(string fileType) => _readers.ContainsKey(fileType.Trim());

    /// <summary>
    /// Opens the request's file. <paramref name="countCancellation"/> stops a row count still running in the background
    /// (the run cancels it when it ends, and so does a failure to open); the returned estimate task never faults and
    /// gives <see langword="null"/> when the rows could not be counted.
    /// </summary>
    /// <returns>
    /// The source, the reading context, the row-count estimate, and, when the run's converting threads take every core
    /// (<see cref="DataImportOptions.MaxDegreeOfParallelism"/> at least the cores, one thread on one core included) and
    /// the count runs in the background, the gate the run opens while it waits (<see cref="IdleGate"/>): a count running
    /// freely would take a core from the import (it made a 1M-row run about 9% slower on 2 cores), so it reads only
    /// while the run waits for its sink, and at any time once the run has lasted a second (<see cref="RunCountGate"/>).
    /// A run shorter than that, bound by the processor, learns its total when it ends.
    /// </returns>
    public async Task<(RowSource Source, ImportReaderContext Context, Task<int?>? EstimatedRows, IdleGate? CountGate)> OpenAsync(ImportRequest request, CancellationTokenSource countCancellation, CancellationToken cancellationToken)
    {
        var factory = _readers[request.FileType.Trim()];
        Task<int?>? estimate = null;
        IdleGate? idle = null;
        if (factory.CountsRows && request.File.CanSeek)
        {
            // A progress estimate only; the final totalItems is the exact count of rows read.
            idle = new IdleGate();
            estimate = StartBackgroundCount(factory, request, idle, countCancellation.Token);
            if (estimate is null)
            {
                idle = null;
                var start = request.File.Position;
                estimate = Task.FromResult(await factory.EstimateRowCountAsync(request.File, request, cancellationToken).ConfigureAwait(false));
                request.File.Position = start;
            }
        }

        try
        {
            var context = new ImportReaderContext(request.File, request, _options);
            var reader = await factory.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            var source = factory.CreateRowSource(reader, request, _options, idle);
            // A read-ahead source opens the gate itself, while its reading thread waits. Otherwise the run takes every core
            // when its converting threads are as many as the cores (one thread on one core too), and then a count running
            // freely would take one from it: the run keeps the gate. Else a core stays idle and the count runs on it.
            IdleGate? runGate = null;
            if (source is not ReadAheadRowSource)
            {
                if (_options.MaxDegreeOfParallelism >= _options.ProcessorCount)
                {
                    runGate = idle;
                }
                else
                {
                    idle?.Open();
                }
            }

            if (source.FieldCount > _options.MaxColumns)
            {
                source.Dispose();
                throw new InvalidDataException($"The file has {source.FieldCount} columns; the limit is {_options.MaxColumns}.");
            }

            return (source, context, estimate, runGate);
        }
        catch when (estimate is not null)
        {
            // The file cannot be read: stop the count and let go of its handle before the failure is reported.
            await countCancellation.CancelAsync().ConfigureAwait(false);
            await estimate.ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Counts the rows of a file on disk on a second read-only handle while the import reads the first, so with a spare
    /// core the count costs the import no time; with a read-ahead thread it reads only while <paramref name="idle"/> is
    /// open (while that thread waits), so the count never takes a core from the import. Any other stream, or a file that
    /// cannot be opened again (e.g. the host holds it with <see cref="FileShare.None"/>), returns <see langword="null"/>
    /// and is counted before reading.
    /// </summary>
    private static Task<int?>? StartBackgroundCount(ImportReaderFactory factory, ImportRequest request, IdleGate idle, CancellationToken cancellationToken)
    {
        if (request.File is not FileStream file || !Path.IsPathFullyQualified(file.Name))
        {
            return null;
        }

        FileStream copy;
        try
        {
            copy = new FileStream(file.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return null;
        }

        if (copy.Length != file.Length)
        {
            // Not the same content any more: count the stream the import reads instead.
            copy.Dispose();
            return null;
        }

        copy.Position = file.Position;
        return Task.Run(
            async () =>
            {
                var gated = new GatedReadStream(copy, idle);
                await using (gated.ConfigureAwait(false))
                {
                    try
                    {
                        return await factory.EstimateRowCountAsync(gated, request, cancellationToken).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // An estimate for progress must never fail the import; without it totalItems waits for the end.
                    catch (Exception)
#pragma warning restore CA1031
                    {
                        return null;
                    }
                }
            },
            CancellationToken.None);
    }

    private static IEnumerable<ImportReaderFactory> BuiltInReaders()
    {
        yield return new CsvImportReaderFactory();
        yield return new Xlsx.XlsxImportReaderFactory();
    }
}
