using Npgsql;

namespace DataImport.PostgreSql.Tests;

public sealed class PostgresServerTests
{
    [PostgresFact]
    public async Task TheTestServer_IsPostgreSql15_AndAcceptsASchemaPerTest()
    {
        await using var dataSource = PostgresTestDatabase.CreateDataSource();
        var schema = await PostgresTestDatabase.CreateSchemaAsync(dataSource);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT current_setting('server_version_num')::int");
            var version = (int)(await command.ExecuteScalarAsync())!;
            version.Should().BeInRange(150000, 159999);
        }
        finally
        {
            await PostgresTestDatabase.DropSchemaAsync(dataSource, schema);
        }
    }
}
