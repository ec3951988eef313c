using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataImport.AspNetCore;

/// <summary>
/// Answers an error no handler expected with a generic 500 in the endpoints' shape and logs it; the exception never
/// reaches the client. The stores' database out of reach (down, restarting) is a 503 with <c>Retry-After</c> instead.
/// A client that went away is logged as information, not as an error, and gets no answer.
/// </summary>
internal sealed class ImportErrorFilter(ApiResults results, ILogger logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsClientGone(http, ex))
        {
            EndpointLog.ClientDisconnected(logger, http.Request.Method, http.Request.Path);
            return Results.Empty;
        }
        catch (Exception ex) when (!http.Response.HasStarted && IsStorageUnavailable(ex))
        {
            EndpointLog.StorageUnavailable(logger, ex, http.Request.Method, http.Request.Path);
            http.Response.Headers.RetryAfter = RetryAfterSeconds;
            return results.Fail(StatusCodes.Status503ServiceUnavailable, StorageUnavailableMessage);
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            EndpointLog.Unhandled(logger, ex, http.Request.Method, http.Request.Path);
            return results.Fail(StatusCodes.Status500InternalServerError, "An unexpected error occurred; it has been logged.");
        }
    }

    /// <summary>What a client is told when the database (or whatever the stores use) cannot be reached.</summary>
    public const string StorageUnavailableMessage = "The import service cannot reach its storage at the moment; try again in a few seconds.";

    // A database restarting or failing over is back within seconds; the header tells a client when to try again.
    private const string RetryAfterSeconds = "5";

    /// <summary>
    /// Whether an error is the stores' database being out of reach for now (down, restarting, refusing connections, a
    /// timeout): a <see cref="DbException"/> that its provider calls transient, anywhere in the chain of inner exceptions.
    /// Npgsql and Microsoft.Data.Sqlite both say so; a constraint or a syntax error is not transient and stays a 500.
    /// </summary>
    public static bool IsStorageUnavailable(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is DbException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an error is only the client having gone away (closed the connection, cut the body short).</summary>
    public static bool IsClientGone(HttpContext context, Exception error) =>
        context.RequestAborted.IsCancellationRequested && error is OperationCanceledException or IOException;
}
