using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace DataImport.AspNetCore;

/// <summary>
/// Gives the host's authorization failures on the import endpoints a body in their shape (401 and 403 naming the field
/// <c>authorization</c>). The host's schemes still challenge and forbid as they do (headers such as <c>WWW-Authenticate</c>,
/// a redirect for cookies); only an empty 401 or 403 gets the body. Other endpoints are left to the handler it wraps.
/// </summary>
internal sealed class ImportAuthorizationResultHandler(IAuthorizationMiddlewareResultHandler inner, ApiResults results) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        await inner.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
        if (authorizeResult.Succeeded || context.Response.HasStarted
            || context.GetEndpoint()?.Metadata.GetMetadata<ImportEndpoints.ImportEndpointMetadata>() is null)
        {
            return;
        }

        var result = context.Response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => results.Fail(StatusCodes.Status401Unauthorized, "authorization", "Authentication is required: the request has no valid credentials.", "unauthorized"),
            StatusCodes.Status403Forbidden => results.Fail(StatusCodes.Status403Forbidden, "authorization", "You are not allowed to use the import API.", "forbidden"),
            _ => null,
        };
        if (result is not null)
        {
            await result.ExecuteAsync(context).ConfigureAwait(false);
        }
    }
}
