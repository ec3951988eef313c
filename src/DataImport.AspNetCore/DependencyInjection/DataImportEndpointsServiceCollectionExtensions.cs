using DataImport.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DataImport;

/// <summary>Registers what <c>MapDataImport</c> needs.</summary>
public static class DataImportEndpointsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services of the import endpoints: their options (validated when the host starts), the default
    /// <see cref="ImportDomainResolver"/> (the <c>domain</c> header checked against the user's claims) unless one is
    /// registered, and bodies in the endpoints' shape for the host's authorization failures on them. Safe to call more than once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the endpoints: error format, domain header, claim type or check, event interval.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddDataImportEndpoints(this IServiceCollection services, Action<DataImportEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DataImportEndpointOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataImportEndpointOptions>, DataImportEndpointOptionsValidator>());
        services.TryAddSingleton<ImportDomainResolver, HeaderImportDomainResolver>();
        services.TryAddSingleton<ApiResults>();
        WrapAuthorizationResultHandler(services);
        return services;
    }

    /// <summary>Wraps the authorization result handler registered so far (the framework's when none), whenever <c>AddAuthorization</c> is called.</summary>
    private static void WrapAuthorizationResultHandler(IServiceCollection services)
    {
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler));
        if (existing?.ImplementationFactory?.Target is Wrapped)
        {
            return;
        }

        services.RemoveAll<IAuthorizationMiddlewareResultHandler>();
        var wrapped = new Wrapped(existing);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler>(wrapped.Create);
    }

    /// <summary>Creates the wrapper around the handler that was registered before it.</summary>
    private sealed class Wrapped(ServiceDescriptor? inner)
    {
        public ImportAuthorizationResultHandler Create(IServiceProvider services)
        {
            var handler = inner switch
            {
                null => new AuthorizationMiddlewareResultHandler(),
                { ImplementationInstance: IAuthorizationMiddlewareResultHandler instance } => instance,
                { ImplementationFactory: { } factory } => (IAuthorizationMiddlewareResultHandler)factory(services),
                { ImplementationType: { } type } => (IAuthorizationMiddlewareResultHandler)ActivatorUtilities.CreateInstance(services, type),
                _ => new AuthorizationMiddlewareResultHandler(),
            };
            return new ImportAuthorizationResultHandler(handler, services.GetRequiredService<ApiResults>());
        }
    }
}
