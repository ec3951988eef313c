using DataImport.Csv;
using DataImport.DependencyInjection;
using DataImport.Entities;
using DataImport.Mapping;
using DataImport.Pipeline;
using DataImport.Reading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataImport;

/// <summary>
/// Imports a file into an entity: reads it as a stream, maps, converts and validates each row, writes batches to a
/// sink, and reports progress and per-row outcomes. Resolve it from the container after <c>AddDataImport()</c>.
/// </summary>
public sealed class ImportEngine
{
    private readonly IServiceProvider _services;
    private readonly EntityRegistry _registry;
    private readonly Dictionary<string, ImportReaderFactory> _readers = new(StringComparer.OrdinalIgnoreCase);

    internal ImportEngine(
        IServiceProvider services,
        EntityRegistry registry,
        IEnumerable<ImportReaderFactory> readers,
        DataImportOptions options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _services = services;
        _registry = registry;
        Options = options;
        Time = time;
        Logger = loggers.CreateLogger("DataImport");
        foreach (var reader in BuiltInReaders().Concat(readers))
        {
            _readers[reader.FileType] = reader;
        }
    }

    /// <summary>Gets the registered entities.</summary>
    public IReadOnlyList<EntitySchema> Entities => [.. _registry.All.Select(e => e.Schema)];

    /// <summary>Gets the file types the engine can read, e.g. <c>csv</c> and <c>xlsx</c>.</summary>
    public IReadOnlyCollection<string> FileTypes => _readers.Keys;

    internal DataImportOptions Options { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>
    /// The batch of rows of the last run that ended, kept for the next run of the same batch size: its row objects
    /// have reached the oldest generation, so reusing them spares every run promoting a fresh set (and the full
    /// collections that followed). Runs at the same time simply allocate their own.
    /// </summary>
    private PendingRow[]? _spareBatch;

    internal PendingRow[] RentBatch(int size) =>
        Interlocked.Exchange(ref _spareBatch, null) is { } spare && spare.Length == size ? spare : new PendingRow[size];

    /// <summary>Keeps a finished run's batch for the next run, cleared first so it holds none of the run's records.</summary>
    internal void ReturnBatch(PendingRow[] batch)
    {
        foreach (var row in batch)
        {
            row?.Reset(0, 0);
        }

        Volatile.Write(ref _spareBatch, batch);
    }

    /// <summary>Finds a registered entity by name, ignoring case.</summary>
    /// <param name="name">The entity name.</param>
    /// <returns>The schema, or <see langword="null"/>.</returns>
    public EntitySchema? FindEntity(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _registry.Find(name)?.Schema;
    }

    /// <summary>
    /// Checks a request without reading its file: entity, file type, mapping (column numbers, property names,
    /// duplicates, key and required properties), locale, offset and options.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ImportValidationException">The request is invalid; every problem is listed.</exception>
    public void Validate(ImportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = request.CheckShape();
        if (!string.IsNullOrWhiteSpace(request.FileType) && !_readers.ContainsKey(request.FileType.Trim()))
        {
            problems.Add($"The file type '{request.FileType}' is not supported; use one of: {string.Join(", ", _readers.Keys)}.");
        }

        if (!string.IsNullOrWhiteSpace(request.Entity))
        {
            var entity = _registry.Find(request.Entity);
            if (entity is null)
            {
                problems.Add($"The entity '{request.Entity}' is not known; known entities: {string.Join(", ", _registry.All.Select(e => e.Schema.Name))}.");
            }
            else if (request.Mapping is not null)
            {
                problems.AddRange(ResolvedMapping.CheckRequest(request.Mapping, entity.Schema, request.Mode));
            }
        }

        if (problems.Count > 0)
        {
            throw new ImportValidationException(problems);
        }
    }

    /// <summary>Runs an import to the end with the sink registered for the entity.</summary>
    /// <param name="request">The request.</param>
    /// <param name="progress">Receives throttled, monotonic progress reports and an exact final one; called on the import's thread.</param>
    /// <param name="cancellationToken">Cancels the import; it then ends <see cref="ImportJobStatus.Cancelled"/>.</param>
    /// <returns>The final state of the job; file problems end it <see cref="ImportJobStatus.Failed"/> with a message, never an exception.</returns>
    /// <exception cref="ImportValidationException">The request is invalid; every problem is listed.</exception>
    /// <exception cref="InvalidOperationException">No sink is registered for the entity: a configuration error, see <c>AddSink</c>.</exception>
    public Task<ImportJobDto> RunAsync(ImportRequest request, IProgress<ImportJobDto>? progress = null, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var entity = _registry.Find(request.Entity)!;
        var sink = CreateSink(entity, request.Domain);
        return RunCoreAsync(request, entity, sink, new ImportRunHooks { Progress = progress }, cancellationToken);
    }

    /// <summary>Runs an import to the end into the given sink.</summary>
    /// <typeparam name="TRecord">The entity's record type: its class, or <see cref="ImportRecord"/> for run-time entities.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="sink">The sink to write to.</param>
    /// <param name="progress">Receives throttled, monotonic progress reports and an exact final one; called on the import's thread.</param>
    /// <param name="cancellationToken">Cancels the import; it then ends <see cref="ImportJobStatus.Cancelled"/>.</param>
    /// <returns>The final state of the job; file problems end it <see cref="ImportJobStatus.Failed"/> with a message, never an exception.</returns>
    /// <exception cref="ImportValidationException">The request is invalid, or the entity's records are not <typeparamref name="TRecord"/>.</exception>
    public Task<ImportJobDto> RunAsync<TRecord>(ImportRequest request, ImportSink<TRecord> sink, IProgress<ImportJobDto>? progress = null, CancellationToken cancellationToken = default)
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(sink);
        Validate(request);
        var entity = _registry.Find(request.Entity)!;
        return RunCoreAsync(request, entity, sink, new ImportRunHooks { Progress = progress }, cancellationToken);
    }

    /// <summary>Starts an import on the thread pool with the sink registered for the entity, and returns at once.</summary>
    /// <param name="request">The request.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <returns>The running job.</returns>
    /// <exception cref="ImportValidationException">The request is invalid; every problem is listed.</exception>
    /// <exception cref="InvalidOperationException">No sink is registered for the entity: a configuration error, see <c>AddSink</c>.</exception>
    public IImportJob Start(ImportRequest request, IProgress<ImportJobDto>? progress = null)
    {
        Validate(request);
        var entity = _registry.Find(request.Entity)!;
        return StartCore(request, entity, CreateSink(entity, request.Domain), progress);
    }

    /// <summary>Starts an import into the given sink on the thread pool, and returns at once.</summary>
    /// <typeparam name="TRecord">The entity's record type.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="sink">The sink to write to.</param>
    /// <param name="progress">Receives progress reports.</param>
    /// <returns>The running job.</returns>
    /// <exception cref="ImportValidationException">The request is invalid, or the entity's records are not <typeparamref name="TRecord"/>.</exception>
    public IImportJob Start<TRecord>(ImportRequest request, ImportSink<TRecord> sink, IProgress<ImportJobDto>? progress = null)
        where TRecord : class
    {
        ArgumentNullException.ThrowIfNull(sink);
        Validate(request);
        var entity = _registry.Find(request.Entity)!;
        if (entity.RecordType != typeof(TRecord))
        {
            // Checked here so the job's Completion never faults for a caller's mistake.
            throw new ImportValidationException($"Entity '{entity.Schema.Name}' has records of type {entity.RecordType.Name}; the sink given writes {typeof(TRecord).Name}. Use an ImportSink<{entity.RecordType.Name}>.");
        }

        return StartCore(request, entity, sink, progress);
    }

    internal ImportEntity? FindImportEntity(string name) => _registry.Find(name);

    internal object CreateSink(ImportEntity entity, string? domain)
    {
        var registrations = _services.GetServices<SinkRegistration>().Where(r => r.RecordType == entity.RecordType).ToList();
        var registration = registrations.LastOrDefault(r => string.Equals(r.Entity, entity.Schema.Name, StringComparison.OrdinalIgnoreCase))
            ?? registrations.LastOrDefault(r => r.Entity is null)
            ?? throw new InvalidOperationException($"No sink is registered for entity '{entity.Schema.Name}'; register one with AddSink.");
        return registration.Create(_services, new ImportSinkContext { Entity = entity.Schema, Domain = domain });
    }

    internal Task<ImportJobDto> RunCoreAsync(ImportRequest request, ImportEntity entity, object sink, ImportRunHooks hooks, CancellationToken cancellationToken)
    {
        var state = NewState(request, hooks);
        return RunCoreAsync(request, entity, sink, hooks, state, cancellationToken);
    }

    internal Task<ImportJobDto> RunCoreAsync(ImportRequest request, ImportEntity entity, object sink, ImportRunHooks hooks, ImportJobState state, CancellationToken cancellationToken) =>
        entity.RunAsync(this, request, sink, hooks, state, cancellationToken);

    internal ImportJobState NewState(ImportRequest request, ImportRunHooks hooks)
    {
        var now = Time.GetUtcNow();
        return new ImportJobState
        {
            Id = hooks.JobId ?? Guid.NewGuid().ToString(),
            Entity = _registry.Find(request.Entity)?.Schema.Name ?? request.Entity,
            Domain = request.Domain,
            FileName = request.FileName,
            Payload = ImportJobPayload.From(request, request.BatchSize ?? Options.BatchSize),
            Status = ImportJobStatus.Queued,
            CreatedDate = hooks.CreatedDate ?? now,
            UpdatedAt = now,
            DryRun = request.DryRun,
        };
    }

    /// <summary>
    /// Opens the request's file. <paramref name="countCancellation"/> stops a row count still running in the background
    /// (the run cancels it when it ends, and so does a failure to open); the returned estimate task never faults and
    /// gives <see langword="null"/> when the rows could not be counted.
    /// </summary>
    internal async Task<(RowSource Source, ImportReaderContext Context, Task<int?>? EstimatedRows)> OpenAsync(ImportRequest request, CancellationTokenSource countCancellation, CancellationToken cancellationToken)
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
            var context = new ImportReaderContext(request.File, request, Options);
            var reader = await factory.OpenAsync(context, cancellationToken).ConfigureAwait(false);
            var source = factory.CreateRowSource(reader, request, Options, idle);
            if (source is not ReadAheadRowSource)
            {
                // No reading thread to make way for: the count runs freely.
                idle?.Open();
            }

            if (source.FieldCount > Options.MaxColumns)
            {
                source.Dispose();
                throw new InvalidDataException($"The file has {source.FieldCount} columns; the limit is {Options.MaxColumns}.");
            }

            return (source, context, estimate);
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

    private InProcessImportJob StartCore(ImportRequest request, ImportEntity entity, object sink, IProgress<ImportJobDto>? progress)
    {
        var hooks = new ImportRunHooks { Progress = progress };
        var state = NewState(request, hooks);
        return new InProcessImportJob(state, token => RunCoreAsync(request, entity, sink, hooks, state, token));
    }
}
