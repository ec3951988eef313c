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
        if (options.StoreFiles)
        {
            services.AddSingleton(sp => new PostgreSqlImportFileStore(sp.GetRequiredService<PostgreSqlImportDatabase>()));
            builder.UseFileStore(sp => sp.GetRequiredService<PostgreSqlImportFileStore>());
        }

        return builder;
    }
}
