using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataImport.AspNetCore;

/// <summary>
/// The seed's REST endpoints under one prefix. Every endpoint but the signed download resolves the caller's domain
/// first (<see cref="ImportDomainResolver"/>); authentication and authorization are the host's, chained on the group.
/// </summary>
internal sealed partial class ImportEndpoints
{
    private readonly string _prefix;
    private readonly ApiResults _results;
    private readonly ImportDomainResolver _domains;
    private readonly DataImportEndpointOptions _options;
    private readonly ILogger _logger;

    private ImportEndpoints(string prefix, IServiceProvider services)
    {
        _prefix = prefix;
        _results = services.GetRequiredService<ApiResults>();
        _domains = services.GetRequiredService<ImportDomainResolver>();
        _options = services.GetRequiredService<IOptions<DataImportEndpointOptions>>().Value;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(EndpointLog.Category);
    }

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix)
    {
        var services = endpoints.ServiceProvider;
        var api = new ImportEndpoints(prefix.TrimEnd('/'), services);
        var maxBodyBytes = services.GetRequiredService<IOptions<DataImportOptions>>().Value.MaxFileBytes + (1024 * 1024);

        var group = endpoints.MapGroup(prefix);
        group.WithMetadata(ImportEndpointMetadata.Instance);
        group.AddEndpointFilter(new ImportErrorFilter(api._results, api._logger));
        group.MapGet("/entities", api.ListEntitiesAsync).WithName("ListEntities").WithSummary("Lists the entities and their properties.");
        group.MapGet("/entities/{entity}/records", api.ListRecordsAsync).WithName("ListRecords").WithSummary("Lists a page of the caller's domain's records of an entity.");

        // The handler reads the body itself (streaming); declaring it with Accepts would make routing answer 415 before
        // authorization. The multipart form is described for OpenAPI instead, and the body may be the file limit plus 1 MiB.
        group.MapPost("/entities/{entity}/import", api.StartImportAsync).WithName("StartImport")
            .WithSummary("Starts an import job from a multipart/form-data upload (type, file, mapping, locale, timezoneOffset, mode, sheet, hasHeaderRow, delimiter, dryRun, encoding).")
            .WithMetadata(new RequestSizeLimit(maxBodyBytes))
            .AddOpenApiOperationTransformer(ImportOpenApi.DescribeImportFormAsync);
        group.MapGet("/jobs", api.ListJobsAsync).WithName("ListJobs").WithSummary("Lists the caller's domain's jobs, newest first.");
        group.MapGet("/job/{id}", api.GetJobAsync).WithName("GetJob").WithSummary("Gets an import job.");
        group.MapPost("/job/{id}/cancel", api.CancelJobAsync).WithName("CancelJob").WithSummary("Cancels an import job.");
        group.MapGet("/job/{id}/events", api.StreamJobEventsAsync).WithName("StreamJobEvents")
            .WithSummary("Streams the job as server-sent events ('progress', then one 'finished' with the ended job), with rowsPerSecond and etaSeconds.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");

        // The signed link is the credential: no bearer token, whatever the host requires of the group.
        group.MapGet("/job/{id}/not-imported", api.DownloadNotImportedAsync).WithName("DownloadNotImported").AllowAnonymous()
            .WithSummary("Downloads the CSV of rows a job did not import, through the signed link of the job's notImportedDownloadUrl (no credentials needed).");

        // Any other path under the prefix: 404, or 405 for a path of the API with another method, in the endpoints' shape.
        // Not at the root, where it would take every path the host leaves to later middleware.
        if (api._prefix.Length > 0)
        {
            group.Map("/{**path}", api.NotFound).WithOrder(int.MaxValue).ExcludeFromDescription();
        }

        return group;
    }

    /// <summary>The routes of the API (below the prefix) and their methods, to tell a wrong method from a wrong path.</summary>
    private static readonly (string Method, TemplateMatcher Route)[] Routes =
    [
        .. new (string Method, string Template)[]
        {
            ("GET", "entities"), ("GET", "entities/{entity}/records"), ("POST", "entities/{entity}/import"), ("GET", "jobs"),
            ("GET", "job/{id}"), ("POST", "job/{id}/cancel"), ("GET", "job/{id}/events"), ("GET", "job/{id}/not-imported"),
        }.Select(r => (r.Method, new TemplateMatcher(TemplateParser.Parse(r.Template), new RouteValueDictionary()))),
    ];

    private IResult NotFound(HttpContext context, string? path)
    {
        var allowed = Routes.Where(r => r.Route.TryMatch("/" + path, [])).Select(r => r.Method).Distinct().ToList();
        if (allowed.Count == 0)
        {
            return _results.Fail(StatusCodes.Status404NotFound, "Not found.", [new ApiError { Message = $"There is no '{context.Request.Path}' in the import API.", Code = "not_found" }]);
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return _results.Fail(StatusCodes.Status405MethodNotAllowed, "The method is not allowed on this path.", [new ApiError { Message = $"'{context.Request.Path}' answers {string.Join(" and ", allowed)}.", Code = "method_not_allowed" }]);
    }

    private async Task<IResult> ListEntitiesAsync(HttpContext context, ImportEngine engine)
    {
        if (await ResolveDomainAsync(context).ConfigureAwait(false) is { Failure: { } failure })
        {
            return failure;
        }

        return _results.Ok(engine.Entities.Select(e => new
        {
            name = e.Name,
            key = e.Key.Select(k => k.Name),
            properties = e.Properties.Select(p => new
            {
                name = p.Name,
                type = p.Type.ToString().ToLowerInvariant(),
                required = p.Required,
                maxLength = p.MaxLength,
                values = p.AllowedValues.Count > 0 ? p.AllowedValues : null,
            }),
        }));
    }

    private async Task<IResult> ListRecordsAsync(string entity, HttpContext context, ImportEngine engine, [FromQuery] string? page, [FromQuery] string? pageSize)
    {
        var (domain, failure) = await ResolveDomainAsync(context).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (engine.FindEntity(entity) is not { } schema)
        {
            return UnknownEntity(entity, engine);
        }

        var (paging, invalid) = ApiPaging.Parse(page, pageSize, _results);
        if (invalid is not null)
        {
            return invalid;
        }

        if (context.RequestServices.GetService<ImportRecordLister>() is not { } lister)
        {
            return _results.Fail(StatusCodes.Status501NotImplemented, "entity", "This host does not list records: it registers no ImportRecordLister.", "not_implemented");
        }

        var records = await lister.ListAsync(schema, domain, paging.Skip, paging.PageSize, context.RequestAborted).ConfigureAwait(false);
        return _results.Ok(records.Records, $"{records.Total} record{(records.Total == 1 ? "" : "s")}.", paging.Of(records.Total));
    }

    private async Task<IResult> ListJobsAsync(HttpContext context, IImportJobService jobs, [FromQuery] string? page, [FromQuery] string? pageSize)
    {
        var (domain, failure) = await ResolveDomainAsync(context).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var (paging, invalid) = ApiPaging.Parse(page, pageSize, _results);
        if (invalid is not null)
        {
            return invalid;
        }

        IReadOnlyList<ImportJobDto> list = paging.Skip > int.MaxValue ? [] : await jobs.ListAsync(domain, (int)paging.Skip, paging.PageSize, context.RequestAborted).ConfigureAwait(false);
        return _results.Ok(list.Select(j => JobResponse.From(j, context.Request, _prefix)).ToList(), $"{list.Count} job{(list.Count == 1 ? "" : "s")}.");
    }

    private async Task<IResult> GetJobAsync(string id, HttpContext context, IImportJobService jobs)
    {
        var (domain, failure) = await ResolveDomainAsync(context).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        return await jobs.GetAsync(domain, id, context.RequestAborted).ConfigureAwait(false) is { } job
            ? _results.Ok(JobResponse.From(job, context.Request, _prefix), $"The job is {JobResponse.StatusText(job.Status)}.")
            : JobNotFound(id);
    }

    private async Task<IResult> CancelJobAsync(string id, HttpContext context, IImportJobService jobs)
    {
        var (domain, failure) = await ResolveDomainAsync(context).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        return await jobs.CancelAsync(domain, id, context.RequestAborted).ConfigureAwait(false) is { } job
            ? _results.Ok(JobResponse.From(job, context.Request, _prefix), job.IsFinished ? $"The job is {JobResponse.StatusText(job.Status)}." : "Cancellation requested; the job stops at its next row.")
            : JobNotFound(id);
    }

    private async Task<IResult> StreamJobEventsAsync(string id, HttpContext context, IImportJobService jobs)
    {
        var (domain, failure) = await ResolveDomainAsync(context).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (await jobs.GetAsync(domain, id, context.RequestAborted).ConfigureAwait(false) is not { } job)
        {
            return JobNotFound(id);
        }

        var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        var events = new JobEvents(jobs, domain, job, context.Request, _prefix, _results.Json, _options.ProgressEventInterval, time);
        return TypedResults.ServerSentEvents(events.ReadAsync(context.RequestAborted));
    }

    private async Task<IResult> DownloadNotImportedAsync(
        string id, HttpContext context, ImportDownloadLinks links, IImportJobService jobs,
        [FromQuery] string? domain, [FromQuery] string? expires, [FromQuery] string? sig)
    {
        if (!links.Validate(id, domain, expires, sig))
        {
            return _results.Fail(StatusCodes.Status403Forbidden, "sig", $"The download link is invalid or has expired; get a fresh one from GET {_prefix}/job/{{id}}.", "invalid_link");
        }

        if (await jobs.GetAsync(domain, id, context.RequestAborted).ConfigureAwait(false) is not { } job
            || await jobs.OpenNotImportedAsync(domain, id, context.RequestAborted).ConfigureAwait(false) is not { } file)
        {
            return _results.Fail(StatusCodes.Status404NotFound, "id", "The job has no file of rows not imported.", "not_found");
        }

        var name = Path.GetFileNameWithoutExtension(job.FileName ?? "import") + ".not-imported.csv";
        return Results.Stream(file, "text/csv; charset=utf-8", name);
    }

    private async ValueTask<(string? Domain, IResult? Failure)> ResolveDomainAsync(HttpContext context)
    {
        var result = await _domains.ResolveAsync(context).ConfigureAwait(false);
        return result.Problem is { } problem
            ? (null, _results.Fail(result.StatusCode, problem.Message, [ApiError.From(problem)]))
            : (result.Domain, null);
    }

    private IResult UnknownEntity(string entity, ImportEngine engine) => _results.Fail(
        StatusCodes.Status404NotFound, "entity", $"The entity '{entity}' is not known; entities: {string.Join(", ", engine.Entities.Select(e => e.Name))}.", ImportProblemCodes.UnknownEntity);

    private IResult JobNotFound(string id) => _results.Fail(StatusCodes.Status404NotFound, "id", $"There is no job '{id}' in this domain.", "not_found");

    /// <summary>Marks the endpoints of <c>MapDataImport</c>, so authorization failures on them are answered in their shape.</summary>
    internal sealed class ImportEndpointMetadata
    {
        public static readonly ImportEndpointMetadata Instance = new();
    }

    /// <summary>The import's body limit, applied by routing before the handler reads the body.</summary>
    private sealed class RequestSizeLimit(long maxBytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize { get; } = maxBytes;
    }
}
