using DataImport.Samples.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DataImport.Samples.WebApi;

/// <summary>The seed's REST endpoints (<c>/api/v1/...</c>); every response is an <see cref="ApiEnvelope"/>.</summary>
internal static class ImportEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1");
        api.MapGet("/entities", ListEntities).WithName("ListEntities").WithSummary("Lists the entities and their properties.");
        api.MapGet("/entities/{entity}/records", ListRecordsAsync).WithName("ListRecords").WithSummary("Lists a page of the caller's domain's records of an entity.");
        api.MapPost("/entities/{entity}/import", StartImportAsync).WithName("StartImport")
            .WithSummary("Starts an import job from a multipart/form-data upload (type, file, mapping, locale, timezoneOffset, mode, sheet, hasHeaderRow, delimiter, dryRun).");
        api.MapGet("/jobs", ListJobsAsync).WithName("ListJobs").WithSummary("Lists the caller's domain's jobs, newest first.");
        api.MapGet("/job/{id}", GetJobAsync).WithName("GetJob").WithSummary("Gets an import job.");
        api.MapPost("/job/{id}/cancel", CancelJobAsync).WithName("CancelJob").WithSummary("Cancels an import job.");
        api.MapGet("/job/{id}/not-imported", DownloadNotImportedAsync).WithName("DownloadNotImported")
            .WithSummary("Downloads the CSV of rows a job did not import, through the signed link of the job's notImportedDownloadUrl (no bearer token needed).");
    }

    private static IResult ListEntities(HttpRequest request, BearerTokens tokens, ImportEngine engine)
    {
        if (tokens.Authorize(request) is { Failure: { } failure })
        {
            return failure;
        }

        return Api.Ok(engine.Entities.Select(e => new
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

    private static async Task<IResult> ListRecordsAsync(
        string entity, HttpRequest request, BearerTokens tokens, ImportEngine engine, SqliteRecordStore records,
        [FromQuery] string? page, [FromQuery] string? pageSize, CancellationToken cancellationToken)
    {
        var (domain, failure) = tokens.Authorize(request);
        if (failure is not null)
        {
            return failure;
        }

        if (engine.FindEntity(entity) is not { } schema)
        {
            return UnknownEntity(entity, engine);
        }

        var (paging, invalid) = ApiPaging.Parse(page, pageSize);
        if (invalid is not null)
        {
            return invalid;
        }

        var (items, total) = await records.ListAsync(schema, domain, paging.Skip, paging.PageSize, cancellationToken);
        return Api.Ok(items, $"{total} record{(total == 1 ? "" : "s")}.", new ApiPagination(paging.Page, paging.PageSize, total, (total + paging.PageSize - 1) / paging.PageSize));
    }

    private static async Task<IResult> StartImportAsync(
        string entity, HttpContext context, BearerTokens tokens, ImportEngine engine, IImportJobService jobs, ImportFileStore files,
        IOptions<WebApiOptions> options, ILoggerFactory loggers)
    {
        var request = context.Request;
        var (domain, failure) = tokens.Authorize(request);
        if (failure is not null)
        {
            return failure;
        }

        if (engine.FindEntity(entity) is not { } schema)
        {
            return UnknownEntity(entity, engine);
        }

        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Api.Fail(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "The body must be multipart/form-data with the fields type, file and mapping.");
        }

        var limit = options.Value.MaxFileBytes;
        if (request.ContentLength > limit + (1024 * 1024))
        {
            return WebApiHost.TooLarge(limit);
        }

        try
        {
            var (job, problems) = await ImportUpload.StartAsync(request, schema.Name, domain!, jobs, files, limit, context.RequestAborted);
            return job is null
                ? Api.Fail(StatusCodes.Status400BadRequest, problems.Count == 1 ? problems[0].Message : $"The import request has {problems.Count} problems.", problems)
                : Api.Ok(JobResponse.From(job, request), "The import job is queued; poll GET /api/v1/job/{id} for its progress.");
        }
        catch (Exception ex) when (WebApiHost.IsClientGone(context, ex))
        {
            // Nobody is left to answer, and nothing went wrong on this side.
            HostLog.ClientDisconnected(loggers.CreateLogger(HostLog.Category), request.Method, request.Path);
            return Results.Empty;
        }
        catch (ImportValidationException ex)
        {
            var problems = ex.Problems.Select(p => new ApiError(p.Field ?? "request", p.Message)).ToList();
            return Api.Fail(StatusCodes.Status400BadRequest, problems.Count == 1 ? problems[0].Message : $"The import request has {problems.Count} problems.", problems);
        }
        catch (ImportFileTooLargeException)
        {
            return WebApiHost.TooLarge(limit);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return WebApiHost.TooLarge(limit);
        }
        catch (IOException ex) when (ex.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return WebApiHost.TooLarge(limit);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's words (e.g. "Unexpected end of request content."). A body cut short often lands here rather than
            // as an abort: the connection is closed, but the request's abort token is cancelled a moment later.
            HostLog.BodyUnreadable(loggers.CreateLogger(HostLog.Category), request.Method, request.Path, ex.Message);
            return Api.Fail(ex.StatusCode, "The request could not be read: " + ex.Message);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            // The multipart reader's own words name its internals; the client needs to know what to fix.
            HostLog.BodyUnreadable(loggers.CreateLogger(HostLog.Category), request.Method, request.Path, ex.Message);
            return Api.Fail(StatusCodes.Status400BadRequest, "The multipart/form-data body is malformed or cut short: each part needs its headers and a blank line, and the body must end with the closing boundary.");
        }
    }

    private static async Task<IResult> ListJobsAsync(HttpRequest request, BearerTokens tokens, IImportJobService jobs, [FromQuery] string? page, [FromQuery] string? pageSize, CancellationToken cancellationToken)
    {
        var (domain, failure) = tokens.Authorize(request);
        if (failure is not null)
        {
            return failure;
        }

        var (paging, invalid) = ApiPaging.Parse(page, pageSize);
        if (invalid is not null)
        {
            return invalid;
        }

        IReadOnlyList<ImportJobDto> list = paging.Skip > int.MaxValue ? [] : await jobs.ListAsync(domain, (int)paging.Skip, paging.PageSize, cancellationToken);
        return Api.Ok(list.Select(j => JobResponse.From(j, request)).ToList(), $"{list.Count} job{(list.Count == 1 ? "" : "s")}.");
    }

    private static async Task<IResult> GetJobAsync(string id, HttpRequest request, BearerTokens tokens, IImportJobService jobs, CancellationToken cancellationToken)
    {
        var (domain, failure) = tokens.Authorize(request);
        if (failure is not null)
        {
            return failure;
        }

        return await jobs.GetAsync(domain, id, cancellationToken) is { } job
            ? Api.Ok(JobResponse.From(job, request), $"The job is {JobResponse.StatusText(job.Status)}.")
            : JobNotFound(id);
    }

    private static async Task<IResult> CancelJobAsync(string id, HttpRequest request, BearerTokens tokens, IImportJobService jobs, CancellationToken cancellationToken)
    {
        var (domain, failure) = tokens.Authorize(request);
        if (failure is not null)
        {
            return failure;
        }

        return await jobs.CancelAsync(domain, id, cancellationToken) is { } job
            ? Api.Ok(JobResponse.From(job, request), job.IsFinished ? $"The job is {JobResponse.StatusText(job.Status)}." : "Cancellation requested; the job stops at its next row.")
            : JobNotFound(id);
    }

    private static async Task<IResult> DownloadNotImportedAsync(
        string id, HttpContext context, ImportDownloadLinks links, IImportJobService jobs,
        [FromQuery] string? domain, [FromQuery] string? expires, [FromQuery] string? sig)
    {
        // The signed link is the credential: it names the job, the domain and the expiry, and cannot be altered.
        if (!links.Validate(id, domain, expires, sig))
        {
            return Api.Fail(StatusCodes.Status403Forbidden, "sig", "The download link is invalid or has expired; get a fresh one from GET /api/v1/job/{id}.");
        }

        if (await jobs.GetAsync(domain, id, context.RequestAborted) is not { } job
            || await jobs.OpenNotImportedAsync(domain, id, context.RequestAborted) is not { } file)
        {
            return Api.Fail(StatusCodes.Status404NotFound, "id", "The job has no file of rows not imported.");
        }

        var name = Path.GetFileNameWithoutExtension(job.FileName ?? "import") + ".not-imported.csv";
        return Results.Stream(file, "text/csv; charset=utf-8", name);
    }

    private static IResult UnknownEntity(string entity, ImportEngine engine) => Api.Fail(
        StatusCodes.Status404NotFound, "entity", $"The entity '{entity}' is not known; entities: {string.Join(", ", engine.Entities.Select(e => e.Name))}.");

    private static IResult JobNotFound(string id) => Api.Fail(StatusCodes.Status404NotFound, "id", $"There is no job '{id}' in this domain.");
}
