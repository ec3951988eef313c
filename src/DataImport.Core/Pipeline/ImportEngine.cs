using DataImport.DependencyInjection;
using DataImport.Entities;
using DataImport.Mapping;
using DataImport.Pipeline;
using DataImport.Reading;
using DataImport.Sinks;
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
    private readonly PipelineContext _context;

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
        _context = new PipelineContext(options, time, loggers.CreateLogger("DataImport"), new ImportSourceOpener(readers, options), new BatchPool());
    }

    /// <summary>Gets the registered entities.</summary>
    public IReadOnlyList<EntitySchema> Entities => [.. _registry.All.Select(e => e.Schema)];

    /// <summary>Gets the file types the engine can read, e.g. <c>csv</c> and <c>xlsx</c>.</summary>
    public IReadOnlyCollection<string> FileTypes => _context.Sources.FileTypes;

    internal DataImportOptions Options => _context.Options;

    /// <summary>Gets the reading stage's opener (tests open files through it).</summary>
    internal ImportSourceOpener Sources => _context.Sources;

    /// <summary>Gets the pool that keeps the last run's batch for the next run.</summary>
    internal BatchPool Batches => _context.Batches;

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
        if (!string.IsNullOrWhiteSpace(request.FileType) && !_context.Sources.CanRead(request.FileType))
        {
            problems.Add(ImportProblem.Request("type", ImportProblemCodes.UnsupportedFileType, $"The file type '{request.FileType}' is not supported; use one of: {string.Join(", ", FileTypes)}."));
        }

        if (!string.IsNullOrWhiteSpace(request.Entity))
        {
            var entity = _registry.Find(request.Entity);
            if (entity is null)
            {
                problems.Add(ImportProblem.Request("entity", ImportProblemCodes.UnknownEntity, $"The entity '{request.Entity}' is not known; known entities: {string.Join(", ", _registry.All.Select(e => e.Schema.Name))}."));
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
        return RunCoreAsync(request, entity, sink, new ImportRunOptions { Progress = progress }, cancellationToken);
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
        return RunCoreAsync(request, entity, sink, new ImportRunOptions { Progress = progress }, cancellationToken);
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
            throw new ImportValidationException([ImportProblem.Request("entity", ImportProblemCodes.SinkTypeMismatch, $"Entity '{entity.Schema.Name}' has records of type {entity.RecordType.Name}; the sink given writes {typeof(TRecord).Name}. Use an ImportSink<{entity.RecordType.Name}>.")]);
        }

        return StartCore(request, entity, sink, progress);
    }

    internal ImportEntity? FindImportEntity(string name) => _registry.Find(name);

    internal object CreateSink(ImportEntity entity, string? domain)
    {
        var registrations = _services.GetServices<SinkRegistration>().Where(r => r.RecordType == entity.RecordType).ToList();
        var registration = registrations.LastOrDefault(r => string.Equals(r.Entity, entity.Schema.Name, StringComparison.OrdinalIgnoreCase))
            ?? registrations.LastOrDefault(r => r.Entity is null)
            ?? throw new SinkNotRegisteredException($"No sink is registered for entity '{entity.Schema.Name}'; register one with AddSink.");
        return registration.Create(_services, new ImportSinkContext { Entity = entity.Schema, Domain = domain });
    }

    internal Task<ImportJobDto> RunCoreAsync(ImportRequest request, ImportEntity entity, object sink, ImportRunOptions run, CancellationToken cancellationToken) =>
        RunCoreAsync(request, entity, sink, run, NewState(request, run), cancellationToken);

    /// <summary>Runs the pipeline for <paramref name="entity"/> on a state made by <see cref="NewState"/>: the one entry the job layer uses.</summary>
    internal Task<ImportJobDto> RunCoreAsync(ImportRequest request, ImportEntity entity, object sink, ImportRunOptions run, ImportJobState state, CancellationToken cancellationToken) =>
        entity.Accept(new PipelineLauncher(_context, request, sink, run, state, cancellationToken));

    /// <summary>
    /// The state of a new run: the request's identity and payload, queued; for a resumed run, the checkpoint's counters,
    /// total and row errors, so the run continues from them.
    /// </summary>
    internal ImportJobState NewState(ImportRequest request, ImportRunOptions run)
    {
        var now = _context.Time.GetUtcNow();
        var resume = run.Resume;
        var state = new ImportJobState
        {
            Id = run.JobId ?? Guid.NewGuid().ToString(),
            Entity = _registry.Find(request.Entity)?.Schema.Name ?? request.Entity,
            Domain = request.Domain,
            FileName = request.FileName,
            Payload = ImportJobPayload.From(request, request.BatchSize ?? Options.BatchSize),
            Status = ImportJobStatus.Queued,
            CreatedDate = run.CreatedDate ?? now,
            StartedDate = run.StartedDate,
            UpdatedAt = now,
            DryRun = request.DryRun,
            TotalItems = resume is null ? run.KnownTotal : resume.TotalItems ?? run.KnownTotal,
            Created = resume?.Created ?? 0,
            Updated = resume?.Updated ?? 0,
            Skipped = resume?.Skipped ?? 0,
            Errors = resume?.Errors ?? 0,
        };
        state.RowErrors.AddRange(resume?.RowErrors ?? []);
        return state;
    }

    private InProcessImportJob StartCore(ImportRequest request, ImportEntity entity, object sink, IProgress<ImportJobDto>? progress)
    {
        var hooks = new ImportRunOptions { Progress = progress };
        var state = NewState(request, hooks);
        return new InProcessImportJob(state, token => RunCoreAsync(request, entity, sink, hooks, state, token));
    }
}
