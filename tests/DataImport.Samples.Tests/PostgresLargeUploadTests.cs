using System.Diagnostics;
using System.Net.Http.Headers;
using DataImport.PostgreSql;
using DataImport.PostgreSql.Tests;
using DataImport.PostgreSql.Tests.Files;
using Npgsql;
using Xunit.Abstractions;

namespace DataImport.Samples.Tests;

/// <summary>
/// A 1 GiB CSV posted to the REST sample on PostgreSQL (<c>DataImport:Store=postgres</c>), as a real multipart upload on
/// loopback, generated as it is sent: the host's managed heap (the host runs in this process) is sampled all along and
/// must stay far below the upload, and the stored upload reads back with the same length and SHA-256. Runs alone, so
/// other tests' allocations do not count.
/// </summary>
[Collection(nameof(PostgresLargeUploadTests))]
[CollectionDefinition(nameof(PostgresLargeUploadTests), DisableParallelization = true)]
public sealed class PostgresLargeUploadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long OneGibibyte = 1024L * 1024 * 1024;

    /// <summary>The highest managed heap allowed: far above the few buffers of a streaming host, a quarter of the upload.</summary>
    private const long MaxHeapBytes = 256L * 1024 * 1024;

    private readonly string _schema = "big_" + Guid.NewGuid().ToString("N")[..12];
    private NpgsqlDataSource? _dataSource;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await PostgresTestDatabase.DropSchemaAsync(_dataSource, _schema);
            await PostgresTestDatabase.DropSchemaAsync(_dataSource, _schema + "_records");
            await _dataSource.DisposeAsync();
        }
    }

    [PostgresFact]
    public async Task Import_OneGibibyteUploadOnPostgreSql_IsStoredWholeWithAFlatHeap()
    {
        _dataSource = PostgresTestDatabase.CreateDataSource();
        await using var host = await WebApiTestHost.StartAsync(
            "--DataImport:Store=postgres",
            $"--ConnectionStrings:DataImport={PostgresTestDatabase.RequireConnectionString()}",
            $"--DataImport:PostgreSql:Schema={_schema}",
            $"--DataImport:PostgreSql:RecordsSchema={_schema}_records",
            $"--DataImport:MaxFileBytes={2 * OneGibibyte}");
        var content = new GeneratedCsvStream(OneGibibyte);
        var file = new StreamContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        (int Status, System.Text.Json.JsonElement Body) answer;
        long peak;
        using (var heap = new HeapPeak())
        {
            answer = await host.PostImportAsync(WebApiTestHost.ImportForm(file, "big.csv", fields: ("dryRun", "true")), "big");
            peak = heap.Stop();
        }

        var uploaded = clock.Elapsed;
        answer.Status.Should().Be(200, answer.Body.ToString());
        var id = answer.Body.GetProperty("data").GetProperty("id").GetString()!;
        await host.SendAsync(host.Request(HttpMethod.Post, $"/api/v1/job/{id}/cancel", "big"));
        await using var stored = (await new PostgreSqlImportFileStore(_dataSource, _schema).OpenUploadAsync(id + ".upload", default))!;
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[81_920];
        long length = 0;
        int count;
        while ((count = await stored.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, count);
            length += count;
        }

        output.WriteLine($"1 GiB multipart upload into PostgreSQL in {uploaded.TotalSeconds:F1} s; managed heap {before / 1048576.0:F1} MiB before, peak {peak / 1048576.0:F1} MiB");
        content.Produced.Should().Be(OneGibibyte);
        length.Should().Be(OneGibibyte);
        hash.GetHashAndReset().Should().Equal(content.Hash());
        peak.Should().BeLessThan(MaxHeapBytes, "the host streams the upload into PostgreSQL; a host holding it would pass 1 GiB");
    }
}
