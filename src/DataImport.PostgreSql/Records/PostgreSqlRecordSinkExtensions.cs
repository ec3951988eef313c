using DataImport.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace DataImport;

/// <summary>Registers the PostgreSQL record sink for entities defined at run time.</summary>
public static class PostgreSqlRecordSinkExtensions
{
    /// <summary>
    /// Writes the records of every entity defined at run time (<see cref="ImportRecord"/>) without a sink of its own to
    /// PostgreSQL, a table per entity, and registers the <see cref="PostgreSqlRecordStore"/> that lists them (also as the <see cref="ImportRecordLister"/> of the REST API's records endpoint). With
    /// <c>UsePostgreSql</c> on the same database, each batch commits with the job's checkpoint (exactly once).
    /// </summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="connectionString">The Npgsql connection string; the container owns the data source made from it.</param>
    /// <param name="configure">Sets the options (the schema), or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or malformed, or the schema name cannot be a PostgreSQL name.</exception>
    public static DataImportBuilder AddPostgreSqlRecordSink(this DataImportBuilder builder, string connectionString, Action<PostgreSqlRecordSinkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // malformed: ArgumentException now, not at the first import
        var options = Options(configure);
        builder.Services.TryAddSingleton(_ => new OwnedDataSource(NpgsqlDataSource.Create(connectionString)));
        return Add(builder, sp => new PostgreSqlRecordStore(sp.GetRequiredService<OwnedDataSource>().DataSource, options));
    }

    /// <summary>
    /// Writes the records of every entity defined at run time (<see cref="ImportRecord"/>) without a sink of its own to
    /// PostgreSQL, a table per entity, and registers the <see cref="PostgreSqlRecordStore"/> that lists them (also as the <see cref="ImportRecordLister"/> of the REST API's records endpoint). With
    /// <c>UsePostgreSql</c> on the same database, each batch commits with the job's checkpoint (exactly once).
    /// </summary>
    /// <param name="builder">The DataImport builder.</param>
    /// <param name="dataSource">The database; the host keeps ownership (the container does not dispose it).</param>
    /// <param name="configure">Sets the options (the schema), or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The schema name cannot be a PostgreSQL name.</exception>
    public static DataImportBuilder AddPostgreSqlRecordSink(this DataImportBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlRecordSinkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        var options = Options(configure);
        return Add(builder, _ => new PostgreSqlRecordStore(dataSource, options));
    }

    private static PostgreSqlRecordSinkOptions Options(Action<PostgreSqlRecordSinkOptions>? configure)
    {
        var options = new PostgreSqlRecordSinkOptions();
        configure?.Invoke(options);
        if (Sql.IdentifierProblem("PostgreSqlRecordSinkOptions.Schema", options.Schema) is { } problem)
        {
            throw new ArgumentException(problem, nameof(configure));
        }

        return options;
    }

    private static DataImportBuilder Add(DataImportBuilder builder, Func<IServiceProvider, PostgreSqlRecordStore> store)
    {
        builder.Services.TryAddSingleton(store);

        // The REST API's records endpoint (DataImport.AspNetCore) lists what the sink wrote.
        builder.Services.TryAddSingleton<ImportRecordLister>(sp => new PostgreSqlRecordLister(sp.GetRequiredService<PostgreSqlRecordStore>()));
        return builder.AddSink<ImportRecord>((sp, context) =>
            sp.GetRequiredService<PostgreSqlRecordStore>().CreateSink(context.Entity, context.Domain, sp.GetService<ImportJobStore>()));
    }

    /// <summary>A data source the container made from a connection string, and so disposes with itself.</summary>
    private sealed class OwnedDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable, IDisposable
    {
        public NpgsqlDataSource DataSource { get; } = dataSource;

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();

        public void Dispose() => DataSource.Dispose();
    }
}
