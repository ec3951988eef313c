using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DataImport.AspNetCore;

/// <summary>The import endpoint: a streamed multipart upload that queues a job.</summary>
internal sealed partial class ImportEndpoints
{
    private async Task<IResult> StartImportAsync(
        string entity, HttpContext context, ImportEngine engine, IImportJobService jobs, ImportFileStore files, IOptions<DataImportOptions> options)
    {
        var request = context.Request;
        var (domain, failure) = await ResolveDomainAsync(context).ConfigureAwait(false);
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
            return _results.Fail(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "The body must be multipart/form-data with the fields type, file and mapping.", "unsupported_media_type");
        }

        var limit = options.Value.MaxFileBytes;
        if (request.ContentLength > limit + (1024 * 1024))
        {
            return _results.TooLarge(limit);
        }

        try
        {
            var (job, problems) = await ImportUpload.StartAsync(request, schema.Name, domain!, jobs, files, limit, context.RequestAborted).ConfigureAwait(false);
            return job is null
                ? _results.Invalid(problems)
                : _results.Ok(JobResponse.From(job, request, _prefix), $"The import job is queued; poll GET {_prefix}/job/{{id}} for its progress.");
        }
        catch (Exception ex) when (ImportErrorFilter.IsClientGone(context, ex))
        {
            // Nobody is left to answer, and nothing went wrong on this side.
            EndpointLog.ClientDisconnected(_logger, request.Method, request.Path);
            return Results.Empty;
        }
        catch (ImportValidationException ex)
        {
            return _results.Invalid([.. ex.Problems.Select(p => ApiError.From(p, "request"))]);
        }
        catch (ImportFileException ex)
        {
            return _results.Invalid([ApiError.From(ex.Problem, "file")]);
        }
        catch (ImportFileTooLargeException)
        {
            return _results.TooLarge(limit);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return _results.TooLarge(limit);
        }
        catch (IOException ex) when (ex.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            return _results.TooLarge(limit);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's words (e.g. "Unexpected end of request content."). A body cut short often lands here rather than
            // as an abort: the connection is closed, but the request's abort token is cancelled a moment later.
            EndpointLog.BodyUnreadable(_logger, request.Method, request.Path, ex.Message);
            return _results.Fail(ex.StatusCode, "The request could not be read: " + ex.Message);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            // The multipart reader's own words name its internals; the client needs to know what to fix.
            EndpointLog.BodyUnreadable(_logger, request.Method, request.Path, ex.Message);
            return _results.Fail(StatusCodes.Status400BadRequest, "The multipart/form-data body is malformed or cut short: each part needs its headers and a blank line, and the body must end with the closing boundary.");
        }
    }
}
