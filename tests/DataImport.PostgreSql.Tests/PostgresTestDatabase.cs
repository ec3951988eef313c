using Npgsql;

namespace DataImport.PostgreSql.Tests;

/// <summary>
/// The private PostgreSQL server the tests run against: <c>.ci/run</c> and <c>eng/test.sh</c> start one and put
/// its connection string in <c>DATAIMPORT_TEST_POSTGRES</c>. Each test gets a schema of its own, dropped afterwards.
/// </summary>
internal static class PostgresTestDatabase
{
    public const string Variable = "DATAIMPORT_TEST_POSTGRES";

    /// <summary>Whether the PostgreSQL tests must run (CI): then a missing server fails them instead of skipping them.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("DATAIMPORT_REQUIRE_POSTGRES") == "1";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"{Variable} is not set: start a PostgreSQL server with `bash eng/test.sh` (or `source eng/postgres.sh && postgres_start`).");

    public static NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(RequireConnectionString());

    /// <summary>Creates a fresh schema with a unique name and returns it; <see cref="DropSchemaAsync"/> removes it.</summary>
    public static async Task<string> CreateSchemaAsync(NpgsqlDataSource dataSource, string prefix = "t")
    {
        var schema = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
        await using var command = dataSource.CreateCommand($"CREATE SCHEMA \"{schema}\"");
        await command.ExecuteNonQueryAsync();
        return schema;
    }

    public static async Task DropSchemaAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A test that needs the PostgreSQL server: skipped locally when none is running, run (and failing) in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestDatabase.ConnectionString is null && !PostgresTestDatabase.Required)
        {
            Skip = $"No PostgreSQL server: run `bash eng/test.sh` to run this test ({PostgresTestDatabase.Variable} is not set).";
        }
    }
}

/// <summary>A theory that needs the PostgreSQL server (see <see cref="PostgresFactAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresTestDatabase.ConnectionString is null && !PostgresTestDatabase.Required)
        {
            Skip = $"No PostgreSQL server: run `bash eng/test.sh` to run this test ({PostgresTestDatabase.Variable} is not set).";
        }
    }
}
