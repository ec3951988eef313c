using System.Diagnostics.CodeAnalysis;
using DataImport.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace DataImport;

/// <summary>Registers the PostgreSQL job store and file store.</summary>
public static class PostgreSqlImportBuilderExtensions
{
    /// <summary>
    /// Keeps background jobs, and by default their uploads and not-imported files, in a PostgreSQL database, so several
    /// instances of the host share the work: any instance claims any job, resumes another's after it stops, and serves
    /// any download. The tables are created (or migrated) in <see cref="PostgreSqlImportOptions.SchemaName"/> on first use.
    /// </summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="connectionString">The Npgsql connection string; the container owns the data source made from it.</param>
    /// <param name="configure">Configures the schema name and whether files are stored in the database too.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or malformed, or the schema name is not valid.</exception>
    public static DataImportBuilder UsePostgreSql(this DataImportBuilder builder, string connectionString, Action<PostgreSqlImportOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // Parsed now so a malformed string fails at registration, not at the first job.
        _ = new NpgsqlConnectionStringBuilder(connectionString);
        return Register(builder, () => NpgsqlDataSource.Create(connectionString), ownsDataSource: true, configure);
    }

    /// <summary>
    /// Keeps background jobs, and by default their uploads and not-imported files, in a PostgreSQL database reached
    /// through the host's data source (see the other overload).
    /// </summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="dataSource">The data source; the host keeps it and disposes it.</param>
    /// <param name="configure">Configures the schema name and whether files are stored in the database too.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The schema name is not valid.</exception>
    public static DataImportBuilder UsePostgreSql(this DataImportBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlImportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return Register(builder, () => dataSource, ownsDataSource: false, configure);
    }

    private static DataImportBuilder Register(DataImportBuilder builder, Func<NpgsqlDataSource> dataSource, bool ownsDataSource, Action<PostgreSqlImportOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new PostgreSqlImportOptions();
        configure?.Invoke(options);
        if (PostgreSqlSchema.Problem(options.SchemaName) is { } problem)
        {
            throw new ArgumentException(problem, nameof(configure));
        }

        var services = builder.Services;
        services.Configure<PostgreSqlImportOptions>(o =>
        {
            o.SchemaName = options.SchemaName;
            o.StoreFiles = options.StoreFiles;
        });

        // One database object per container: both stores (and the record sink) share its data source and migration.
        services.RemoveAll<PostgreSqlImportDatabase>();
        services.AddSingleton(_ => new PostgreSqlImportDatabase(dataSource(), options.SchemaName, ownsDataSource));
        services.RemoveAll<PostgreSqlImportJobStore>();
        services.AddSingleton(sp => new PostgreSqlImportJobStore(sp.GetRequiredService<PostgreSqlImportDatabase>()));
        builder.UseJobStore(sp => sp.GetRequiredService<PostgreSqlImportJobStore>());
        services.RemoveAll<PostgreSqlImportFileStore>();
        var taken = FilesTaken.Find(services);
        if (options.StoreFiles)
        {
            services.AddSingleton(sp => new PostgreSqlImportFileStore(sp.GetRequiredService<PostgreSqlImportDatabase>()));

            // What an earlier UsePostgreSql took over is kept, not that call's own registration.
            var replaced = taken?.Replaced ?? [.. services.Where(d => d.ServiceType == typeof(ImportFileStore) && !d.IsKeyedService)];
            builder.UseFileStore(new FilesTaken(replaced).Create);
        }
        else if (taken is not null)
        {
            // An earlier UsePostgreSql stored the files; the last call wins, so the file store it replaced comes back.
            services.RemoveAll<ImportFileStore>();
            foreach (var descriptor in taken.Replaced)
            {
                services.Add(descriptor);
            }

            if (taken.Replaced.Length == 0 && services.Any(d => d.ServiceType == typeof(IImportJobService)))
            {
                // AddBackgroundJobs ran after the files were taken, so it skipped its local-folder default: it adds it now
                // (it only adds what is missing).
                builder.AddBackgroundJobs();
            }
        }

        return builder;
    }

    /// <summary>
    /// The file store registration of <c>UsePostgreSql</c> with <see cref="PostgreSqlImportOptions.StoreFiles"/>: it
    /// remembers the registrations it replaced, so a later call that keeps files elsewhere can put them back.
    /// </summary>
    private sealed class FilesTaken(ServiceDescriptor[] replaced)
    {
        public ServiceDescriptor[] Replaced { get; } = replaced;

        /// <summary>Finds the registration in effect when it is this one.</summary>
        public static FilesTaken? Find(IServiceCollection services) => services
            .LastOrDefault(d => d.ServiceType == typeof(ImportFileStore) && !d.IsKeyedService)?.ImplementationFactory?.Target as FilesTaken;

        [SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "An instance method, so the registered delegate's Target is this registration (see Find).")]
        public PostgreSqlImportFileStore Create(IServiceProvider services) => services.GetRequiredService<PostgreSqlImportFileStore>();
    }
}
