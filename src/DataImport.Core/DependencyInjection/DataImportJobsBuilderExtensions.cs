using System.Diagnostics.Metrics;
using DataImport.Diagnostics;
using DataImport.Files;
using DataImport.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DataImport;

/// <summary>Registers background import jobs and their stores.</summary>
public static class DataImportJobsBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="IImportJobService"/>, the hosted worker that runs queued jobs, <see cref="ImportDownloadLinks"/>, and the
    /// default stores (jobs in memory, files in a local folder) unless others are registered. Safe to call more than once.
    /// </summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="configure">Configures the job options.</param>
    /// <returns>The builder.</returns>
    public static DataImportBuilder AddBackgroundJobs(this DataImportBuilder builder, Action<ImportJobsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<ImportJobsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ImportJobsOptions>, ImportJobsOptionsValidator>());
        services.TryAddSingleton<ImportJobStore, InMemoryImportJobStore>();
        services.TryAddSingleton<ImportFileStore>(sp => new LocalImportFileStore(
            sp.GetRequiredService<IOptions<ImportJobsOptions>>().Value.FilesPath ?? Path.Combine(Path.GetTempPath(), "dataimport")));
        services.TryAddSingleton(sp => new ImportMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(_ => new ImportWorkerStatus());
        services.TryAddSingleton<ImportJobSignal>();
        services.TryAddSingleton<RunningImportJobs>();
        services.TryAddSingleton(sp => new ImportDownloadLinks(sp.GetRequiredService<IOptions<ImportJobsOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ImportJobRunner(
            sp.GetRequiredService<ImportEngine>(),
            sp.GetRequiredService<ImportJobStore>(),
            sp.GetRequiredService<ImportFileStore>(),
            sp.GetRequiredService<RunningImportJobs>(),
            sp.GetRequiredService<ImportMetrics>(),
            sp.GetRequiredService<IOptions<ImportJobsOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            Loggers(sp)));
        services.TryAddSingleton<IImportJobService>(sp => new ImportJobService(
            sp.GetRequiredService<ImportEngine>(),
            sp.GetRequiredService<ImportJobStore>(),
            sp.GetRequiredService<ImportFileStore>(),
            sp.GetRequiredService<ImportDownloadLinks>(),
            sp.GetRequiredService<ImportJobSignal>(),
            sp.GetRequiredService<RunningImportJobs>(),
            sp.GetRequiredService<ImportMetrics>(),
            sp.GetRequiredService<IOptions<ImportJobsOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            Loggers(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ImportJobWorker>(sp => new ImportJobWorker(
            sp.GetRequiredService<ImportJobStore>(),
            sp.GetRequiredService<ImportFileStore>(),
            sp.GetRequiredService<ImportJobRunner>(),
            sp.GetRequiredService<ImportJobSignal>(),
            sp.GetRequiredService<ImportWorkerStatus>(),
            sp.GetRequiredService<IOptions<ImportJobsOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            Loggers(sp))));
        return builder;
    }

    /// <summary>Uses a job store instead of the in-memory default, whether called before or after <see cref="AddBackgroundJobs"/>.</summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="factory">Creates the store once per container.</param>
    /// <returns>The builder.</returns>
    public static DataImportBuilder UseJobStore(this DataImportBuilder builder, Func<IServiceProvider, ImportJobStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<ImportJobStore>();
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>Uses a file store instead of the local-folder default, whether called before or after <see cref="AddBackgroundJobs"/>.</summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="factory">Creates the store once per container.</param>
    /// <returns>The builder.</returns>
    public static DataImportBuilder UseFileStore(this DataImportBuilder builder, Func<IServiceProvider, ImportFileStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<ImportFileStore>();
        builder.Services.AddSingleton(factory);
        return builder;
    }

    private static ILoggerFactory Loggers(IServiceProvider services) => services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
}
