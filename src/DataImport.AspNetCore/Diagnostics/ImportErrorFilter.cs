using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataImport.AspNetCore;

/// <summary>
/// Answers an error no handler expected with a generic 500 in the endpoints' shape and logs it; the exception never
/// reaches the client. A client that went away is logged as information, not as an error, and gets no answer.
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
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            EndpointLog.Unhandled(logger, ex, http.Request.Method, http.Request.Path);
            return results.Fail(StatusCodes.Status500InternalServerError, "An unexpected error occurred; it has been logged.");
        }
    }

    /// <summary>Whether an error is only the client having gone away (closed the connection, cut the body short).</summary>
    public static bool IsClientGone(HttpContext context, Exception error) =>
        context.RequestAborted.IsCancellationRequested && error is OperationCanceledException or IOException;
}
