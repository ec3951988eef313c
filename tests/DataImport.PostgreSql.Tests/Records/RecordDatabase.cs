using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataImport.PostgreSql.Tests.Records;

/// <summary>A fresh schema on the test server holding the record tables of one test, and imports run through the engine into it.</summary>
internal sealed class RecordDatabase : IAsyncDisposable
{
    private ServiceProvider? _provider;

    private RecordDatabase(NpgsqlDataSource dataSource, string schema)
    {
        DataSource = dataSource;
        Schema = schema;
        Store = new PostgreSqlRecordStore(dataSource, new PostgreSqlRecordSinkOptions { Schema = schema });
    }

    public NpgsqlDataSource DataSource { get; }

    public string Schema { get; }

    public PostgreSqlRecordStore Store { get; }

    public static async Task<RecordDatabase> CreateAsync()
    {
        var dataSource = PostgresTestDatabase.CreateDataSource();
        var schema = await PostgresTestDatabase.CreateSchemaAsync(dataSource, "rec");
        return new RecordDatabase(dataSource, schema);
    }

    /// <summary>Runs a CSV import of <paramref name="entity"/> through the engine, with the sink registered as a host would.</summary>
    public async Task<(ImportJobDto Job, string NotImported)> ImportAsync(
        EntitySchema entity, string csv, ImportMode mode = ImportMode.CreateOnly, string? domain = null, int? batchSize = null, ColumnMapping? mapping = null)
    {
        _provider ??= Engine(entity);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        using var notImported = new MemoryStream();
        var job = await _provider.GetRequiredService<ImportEngine>().RunAsync(new ImportRequest
        {
            Entity = entity.Name,
            FileType = "csv",
            File = input,
            FileName = "records.csv",
            Mapping = mapping ?? ColumnMapping.ByHeaderName,
            Mode = mode,
            Domain = domain,
            BatchSize = batchSize,
            NotImportedOutput = notImported,
        });
        return (job, Encoding.UTF8.GetString(notImported.ToArray()).TrimStart('\uFEFF'));
    }

    public async Task<IReadOnlyList<ImportRecord>> AllAsync(EntitySchema entity, string? domain = null) =>
        (await Store.ListAsync(entity, domain, 0, 10_000, CancellationToken.None)).Records;

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public string Table(EntitySchema entity) => $"\"{Schema}\".\"{entity.Name}\"";

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        await PostgresTestDatabase.DropSchemaAsync(DataSource, Schema);
        await DataSource.DisposeAsync();
    }

    private ServiceProvider Engine(EntitySchema entity)
    {
        var services = new ServiceCollection();
        services.AddDataImport().AddEntity(entity).AddPostgreSqlRecordSink(DataSource, o => o.Schema = Schema);
        return services.BuildServiceProvider();
    }
}
