using DataImport.PostgreSql.Tests;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace DataImport.EntityFrameworkCore.Tests.Sinks;

/// <summary>
/// A real, empty database with the <see cref="ShopContext"/> tables: a SQLite file in a temp folder, or a fresh schema
/// on the PostgreSQL server of <c>eng/test.sh</c>. Dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _sqliteFile;
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _schema;

    private TestDatabase(string provider, string connectionString, string? sqliteFile, NpgsqlDataSource? postgres, string? schema)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFile = sqliteFile;
        _postgres = postgres;
        _schema = schema;
    }

    /// <summary>The databases the tests run on: SQLite always; PostgreSQL when a server is given (always in CI).</summary>
    public static TheoryData<string> Providers
    {
        get
        {
            var providers = new TheoryData<string> { "sqlite" };
            if (PostgresTestDatabase.ConnectionString is not null || PostgresTestDatabase.Required)
            {
                providers.Add("postgres");
            }

            return providers;
        }
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        TestDatabase database;
        if (provider == "postgres")
        {
            var dataSource = PostgresTestDatabase.CreateDataSource();
            var schema = await PostgresTestDatabase.CreateSchemaAsync(dataSource, "ef");
            var connection = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.RequireConnectionString()) { SearchPath = schema };
            database = new TestDatabase(provider, connection.ConnectionString, null, dataSource, schema);
        }
        else
        {
            var file = Path.Combine(Path.GetTempPath(), "dataimport-ef-tests", Guid.NewGuid().ToString("N") + ".db");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            database = new TestDatabase(provider, new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString(), file, null, null);
        }

        await using var context = database.NewContext();
        await context.Database.ExecuteSqlRawAsync(context.Database.GenerateCreateScript());
        return database;
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        if (Provider == "postgres")
        {
            options.UseNpgsql(ConnectionString);
        }
        else
        {
            options.UseSqlite(ConnectionString);
        }
    }

    public ShopContext NewContext()
    {
        var options = new DbContextOptionsBuilder<ShopContext>();
        Configure(options);
        return new ShopContext(options.Options);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await PostgresTestDatabase.DropSchemaAsync(_postgres, _schema!);
            await _postgres.DisposeAsync();
        }

        if (_sqliteFile is not null)
        {
            File.Delete(_sqliteFile);
        }
    }
}
