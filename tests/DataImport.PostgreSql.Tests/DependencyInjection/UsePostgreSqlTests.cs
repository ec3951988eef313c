using System.Text;
using DataImport.Tests;
using DataImport.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace DataImport.PostgreSql.Tests.DependencyInjection;

/// <summary>Background imports through <c>AddDataImport().AddBackgroundJobs().UsePostgreSql(...)</c>, hosts sharing one schema.</summary>
public sealed class UsePostgreSqlTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");
    private readonly string _folder = JobTestHost.NewFolder();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (PostgresTestDatabase.ConnectionString is not null)
        {
            await using var dataSource = PostgresTestDatabase.CreateDataSource();
            await PostgresTestDatabase.DropSchemaAsync(dataSource, _schema);
        }

        JobTestHost.DeleteFolder(_folder);
    }

    // Each host has the same local files folder configured: nothing may land in it, files go to PostgreSQL.
    private JobTestHost Host(string worker, DateTimeOffset now, CountingSink sink) => new(
        new FakeTimeProvider(now),
        _folder,
        sink,
        o =>
        {
            o.WorkerId = worker;
            o.LeaseDuration = TimeSpan.FromMinutes(1);
            o.HeartbeatInterval = TimeSpan.FromSeconds(10);
        },
        b => b.UsePostgreSql(PostgresTestDatabase.RequireConnectionString(), o => o.SchemaName = _schema));

    private static async Task<(ImportJobDto Job, byte[] NotImported)> CleanRunAsync(string csv)
    {
        using var output = new MemoryStream();
        var request = JobTestHost.Request(csv, batchSize: 10);
        var job = await TestEngine.Customers().RunAsync(
            new ImportRequest { Entity = request.Entity, FileType = request.FileType, File = request.File, FileName = request.FileName, Mapping = request.Mapping, Mode = request.Mode, BatchSize = 10, NotImportedOutput = output },
            new CountingSink());
        return (job, output.ToArray());
    }

    private static async Task<byte[]> DownloadAsync(JobTestHost host, string id)
    {
        await using var file = (await host.Jobs.OpenNotImportedAsync("acme", id))!;
        using var bytes = new MemoryStream();
        await file.CopyToAsync(bytes);
        return bytes.ToArray();
    }

    [PostgresFact]
    public async Task Worker_BackgroundImport_NotImportedFileDownloadsFromPostgreSqlByteForByte()
    {
        var csv = JobTestHost.CustomersCsv(60, badEvery: 7);
        var sink = new CountingSink();
        await using var host = Host("host-1", T0, sink);
        var queued = await host.Jobs.StartAsync(JobTestHost.Request(csv, batchSize: 10));
        await host.StartWorkerAsync();

        var job = await host.WaitFinishedAsync("acme", queued.Id);

        var (clean, cleanNotImported) = await CleanRunAsync(csv);
        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.ErrorCount).Should().Be((clean.CreatedCount, clean.ErrorCount));
        job.ErrorCount.Should().Be(8);
        sink.Records.Should().HaveCount(52);
        Encoding.UTF8.GetString(await DownloadAsync(host, queued.Id)).Should().Be(Encoding.UTF8.GetString(cleanNotImported));
        Directory.Exists(_folder).Should().BeFalse("uploads and not-imported files live in PostgreSQL");
    }

    [PostgresFact]
    public async Task Worker_HostKilledMidJob_AnotherHostResumesFromPostgreSqlWritingNoRowTwice()
    {
        var csv = JobTestHost.CustomersCsv(50, badEvery: 7);
        var sink = new CountingSink();
        // The sink hangs in batch 3, as a host that died mid-write: no write, no heartbeat, no final state.
        var held = sink.StallAt(3);
        var first = Host("host-1", T0, sink);
        var queued = await first.Jobs.StartAsync(JobTestHost.Request(csv, batchSize: 10));
        await first.StartWorkerAsync();
        await held.WaitAsync(TimeSpan.FromSeconds(60));
        await first.WaitForAsync("acme", queued.Id, j => j.ProcessedItems == 20);

        await using var second = Host("host-2", T0.AddMinutes(2), sink);
        await second.StartWorkerAsync();
        var job = await second.WaitFinishedAsync("acme", queued.Id);

        var (clean, cleanNotImported) = await CleanRunAsync(csv);
        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.ErrorCount, job.TotalItems).Should().Be((clean.CreatedCount, clean.ErrorCount, clean.TotalItems));
        job.Errors.Select(e => e.Row).Should().Equal(clean.Errors.Select(e => e.Row));
        sink.Writes.Should().HaveCount(43).And.OnlyContain(w => w.Value == 1);
        Encoding.UTF8.GetString(await DownloadAsync(second, queued.Id)).Should().Be(Encoding.UTF8.GetString(cleanNotImported));
        (await second.Provider.GetRequiredService<PostgreSqlImportJobStore>().GetAsync(queued.Id, default))!.Attempts.Should().Be(2);

        // The dead host wakes up and stops: it no longer holds the job, so it cannot change it or its file.
        await first.DisposeAsync();
        (await second.Jobs.GetAsync("acme", queued.Id))!.CreatedCount.Should().Be(43);
        Encoding.UTF8.GetString(await DownloadAsync(second, queued.Id)).Should().Be(Encoding.UTF8.GetString(cleanNotImported));
    }

    [Fact]
    public void UsePostgreSql_Registered_ResolvesOneJobStoreAndTheFileStoreFromTheContainer()
    {
        var services = new ServiceCollection();
        services.AddDataImport().AddBackgroundJobs().UsePostgreSql("Host=localhost;Database=app", o => o.SchemaName = "imports");
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<PostgreSqlImportJobStore>();

        provider.GetRequiredService<ImportJobStore>().Should().BeSameAs(store);
        provider.GetRequiredService<ImportFileStore>().Should().BeOfType<PostgreSqlImportFileStore>();
        store.Database.SchemaName.Should().Be("imports");
        provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PostgreSqlImportOptions>>().Value.SchemaName.Should().Be("imports");
    }

    [Fact]
    public void UsePostgreSql_FilesKeptElsewhere_LeavesTheLocalFileStore()
    {
        var services = new ServiceCollection();
        using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=app");
        services.AddDataImport().AddBackgroundJobs(o => o.FilesPath = "/mnt/shared/imports").UsePostgreSql(dataSource, o => o.StoreFiles = false);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ImportJobStore>().Should().BeOfType<PostgreSqlImportJobStore>();
        provider.GetRequiredService<ImportFileStore>().Should().NotBeOfType<PostgreSqlImportFileStore>();
        provider.GetService<PostgreSqlImportFileStore>().Should().BeNull();
    }

    // Both orders of AddBackgroundJobs: its local-folder default is registered before the files go to PostgreSQL, or skipped
    // because they already went there.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UsePostgreSql_CalledAgainWithoutStoreFiles_FilesGoBackToTheLocalFolder(bool jobsFirst)
    {
        var services = new ServiceCollection();
        using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=app");
        var builder = services.AddDataImport();
        if (jobsFirst)
        {
            builder.AddBackgroundJobs(o => o.FilesPath = _folder);
        }

        builder.UsePostgreSql(dataSource, o => o.StoreFiles = true);
        if (!jobsFirst)
        {
            builder.AddBackgroundJobs(o => o.FilesPath = _folder);
        }

        builder.UsePostgreSql(dataSource, o => o.StoreFiles = false);
        using var provider = services.BuildServiceProvider();

        var files = provider.GetRequiredService<ImportFileStore>();
        var id = await files.SaveUploadAsync("job-1", new MemoryStream("Name\nAda\n"u8.ToArray()), 1_000, default);

        files.Should().NotBeOfType<PostgreSqlImportFileStore>();
        File.ReadAllText(Path.Combine(_folder, id)).Should().Be("Name\nAda\n");
        provider.GetService<PostgreSqlImportFileStore>().Should().BeNull();
        provider.GetRequiredService<ImportJobStore>().Should().BeOfType<PostgreSqlImportJobStore>();
    }

    [Fact]
    public void UsePostgreSql_CalledAgainWithStoreFiles_FilesGoToPostgreSql()
    {
        var services = new ServiceCollection();
        using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=app");
        services.AddDataImport().AddBackgroundJobs(o => o.FilesPath = _folder)
            .UsePostgreSql(dataSource, o => o.StoreFiles = false)
            .UsePostgreSql(dataSource, o => o.StoreFiles = true);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ImportFileStore>().Should().BeSameAs(provider.GetRequiredService<PostgreSqlImportFileStore>());
    }

    [Fact]
    public void UsePostgreSql_StoringFilesTwiceThenNot_TheHostsOwnFileStoreIsBack()
    {
        var services = new ServiceCollection();
        using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=app");
        var own = new PostgreSqlImportFileStore(dataSource, "host_files");
        services.AddDataImport().AddBackgroundJobs().UseFileStore(_ => own)
            .UsePostgreSql(dataSource)
            .UsePostgreSql(dataSource, o => o.SchemaName = "imports")
            .UsePostgreSql(dataSource, o => o.StoreFiles = false);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ImportFileStore>().Should().BeSameAs(own);
        provider.GetService<PostgreSqlImportFileStore>().Should().BeNull();
    }

    [Fact]
    public void UsePostgreSql_InvalidSchemaName_ThrowsWhenRegistered()
    {
        var services = new ServiceCollection();

        var act = () => services.AddDataImport().UsePostgreSql("Host=localhost", o => o.SchemaName = "bad-name");

        act.Should().Throw<ArgumentException>().WithMessage("*'bad-name'*ASCII letters, digits and underscores*");
    }
}
