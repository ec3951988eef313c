using Npgsql;

namespace DataImport.PostgreSql.Tests.Jobs;

/// <summary>Fills a store's tables in one statement, for tests that need thousands of jobs without thousands of round trips.</summary>
internal static class StoredJobRows
{
    public static readonly DateTimeOffset Created = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Inserts queued jobs, in order (the first is the oldest), after the store has created its tables.</summary>
    public static async Task InsertQueuedAsync(NpgsqlDataSource dataSource, string schema, IReadOnlyList<(string Id, string Domain)> jobs)
    {
        await new PostgreSqlImportJobStore(dataSource, schema).GetAsync("none", default);
        var documents = jobs.Select(j => ImportJobRowFormat.WriteJob(new ImportJobDto { Id = j.Id, Entity = "Customer", Domain = j.Domain, Status = ImportJobStatus.Queued, CreatedDate = Created, UpdatedAt = Created })).ToArray();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"INSERT INTO \"{schema}\".import_job_domains (domain) SELECT DISTINCT unnest(@domains) ON CONFLICT DO NOTHING")
        {
            Parameters = { new NpgsqlParameter<string[]>("domains", [.. jobs.Select(j => j.Domain)]) },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            INSERT INTO "{schema}".import_jobs (id, domain, status, created_at, upload_file, job)
            SELECT id, domain, 0, @created, 'upload', job FROM unnest(@ids, @domains, @jobs) WITH ORDINALITY AS t(id, domain, job, n) ORDER BY n
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<string[]>("ids", [.. jobs.Select(j => j.Id)]),
                new NpgsqlParameter<string[]>("domains", [.. jobs.Select(j => j.Domain)]),
                new NpgsqlParameter<string[]>("jobs", documents),
                new NpgsqlParameter<DateTime>("created", Created.UtcDateTime),
            },
        });
        await batch.ExecuteNonQueryAsync();
    }
}
