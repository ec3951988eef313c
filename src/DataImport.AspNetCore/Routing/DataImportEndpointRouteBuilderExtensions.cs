using DataImport.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport;

/// <summary>Maps the DataImport REST API.</summary>
public static class DataImportEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the seed's import API under a prefix: <c>POST entities/{entity}/import</c> (a streamed multipart upload),
    /// <c>GET job/{id}</c>, <c>POST job/{id}/cancel</c>, <c>GET job/{id}/events</c> (server-sent progress),
    /// <c>GET jobs</c>, <c>GET job/{id}/not-imported</c> (the signed link; anonymous), <c>GET entities/{entity}/records</c>
    /// (with an <see cref="ImportRecordLister"/>) and <c>GET entities</c>. Authentication and authorization are the host's:
    /// chain them on the group returned (<c>RequireAuthorization()</c>), as rate limiting or endpoint filters.
    /// </summary>
    /// <param name="endpoints">The application or a route group.</param>
    /// <param name="prefix">The route prefix.</param>
    /// <returns>The group of the endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddDataImportEndpoints()</c> or <c>AddDataImport().AddBackgroundJobs()</c> was not called.</exception>
    public static RouteGroupBuilder MapDataImport(this IEndpointRouteBuilder endpoints, string prefix = "/api/v1")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        var services = endpoints.ServiceProvider;
        if (services.GetService<ApiResults>() is null)
        {
            throw new InvalidOperationException("MapDataImport needs the services of the endpoints: call builder.Services.AddDataImportEndpoints() before building the app.");
        }

        if (services.GetService<IImportJobService>() is null)
        {
            throw new InvalidOperationException("MapDataImport serves background jobs: call builder.Services.AddDataImport()…AddBackgroundJobs() before building the app.");
        }

        return ImportEndpoints.Map(endpoints, prefix);
    }
}
