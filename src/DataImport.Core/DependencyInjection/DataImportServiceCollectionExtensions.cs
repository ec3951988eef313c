using DataImport.Csv;
using DataImport.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DataImport;

/// <summary>Registers DataImport in a service collection.</summary>
public static class DataImportServiceCollectionExtensions
{
    /// <summary>
    /// Adds the import engine with the CSV and XLSX readers and validated options. Safe to call more than once:
    /// services are added only if missing, and each call's <paramref name="configure"/> applies.
    /// <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> come from the container when registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to register entities, sinks and readers.</returns>
    public static DataImportBuilder AddDataImport(this IServiceCollection services, Action<DataImportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DataImportOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DataImportOptions>, DataImportOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new EntityRegistry(sp.GetServices<EntityRegistration>(), sp.GetServices<RecordValidatorRegistration>()));
        services.TryAddSingleton(sp => new ImportEngine(
            sp,
            sp.GetRequiredService<EntityRegistry>(),
            sp.GetServices<ImportReaderFactory>(),
            sp.GetRequiredService<IOptions<DataImportOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return new DataImportBuilder(services);
    }
}
