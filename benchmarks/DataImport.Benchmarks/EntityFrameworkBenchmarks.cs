using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DataImport.Benchmarks;

/// <summary>The sales table of <see cref="EntityFrameworkBenchmarks"/>: Order ID is the primary key and the import key.</summary>
public sealed class SalesContext(DbContextOptions<SalesContext> options) : DbContext(options)
{
    public DbSet<SalesRecord> Sales => Set<SalesRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<SalesRecord>().HasKey(s => s.OrderId);
}

/// <summary>
/// The sales CSV (100k rows; 1M too in a full run) into an empty SQLite file through EF Core: the engine with
/// <c>AddEntityFrameworkSink</c> (CreateOnly keyed on Order ID: a key lookup query and a transaction per batch of 1000)
/// against the hand-written loop a developer would write: Sylvan reading, one entity per row, <c>AddRange</c> and
/// <c>SaveChanges</c> per 1000 rows, the change tracker cleared after each.
/// </summary>
[MemoryDiagnoser]
public class EntityFrameworkBenchmarks
{
    private const int BatchSize = 1000;
    private string _file = null!;
    private string _database = null!;
    private ServiceProvider _services = null!;

    [ParamsSource(typeof(Sizes), nameof(Sizes.Rows))]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _file = DataFiles.SalesCsv(Rows);
        _database = Path.Combine(DataFiles.Folder, $"ef-sales-{Environment.ProcessId}.db");
        var services = new ServiceCollection();
        services.AddDbContext<SalesContext>(Configure);
        services.AddDataImport()
            .AddEntity<SalesRecord>(e => e.Name(Engines.SalesKeyed).Key(s => s.OrderId).Formats(s => s.OrderDate, "M/d/yyyy").Formats(s => s.ShipDate, "M/d/yyyy"))
            .AddEntityFrameworkSink<SalesContext, SalesRecord>();
        _services = services.BuildServiceProvider();
    }

    /// <summary>Every run starts from an empty database file.</summary>
    [IterationSetup]
    public void EmptyDatabase()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_database);
        using var context = NewContext();
        context.Database.EnsureCreated();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        File.Delete(_database);
    }

    [Benchmark(Baseline = true, Description = "Hand-written: Sylvan + AddRange/SaveChanges per 1000")]
    public async Task<long> HandWritten()
    {
        using var reader = Sizes.OpenSylvan(_file);
        var batch = new List<SalesRecord>(BatchSize);
        long count = 0;
        await using var context = NewContext();
        while (await reader.ReadAsync())
        {
            batch.Add(Sizes.ReadSales(reader));
            if (batch.Count == BatchSize)
            {
                count += await SaveAsync(context, batch);
            }
        }

        count += await SaveAsync(context, batch);
        return Check(count);
    }

    [Benchmark(Description = "Engine + AddEntityFrameworkSink, CreateOnly keyed")]
    public async Task<long> EngineEntityFrameworkSink()
    {
        await using var file = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        var job = await _services.GetRequiredService<ImportEngine>().RunAsync(new ImportRequest
        {
            Entity = Engines.SalesKeyed, FileType = "csv", File = file, Mode = ImportMode.CreateOnly, Delimiter = ',', BatchSize = BatchSize,
        });
        if (job.Status != ImportJobStatus.Completed)
        {
            throw new InvalidOperationException($"The import did not complete: {job.Status} {job.Message}");
        }

        return Check(job.CreatedCount);
    }

    private static async Task<int> SaveAsync(SalesContext context, List<SalesRecord> batch)
    {
        context.AddRange(batch);
        var saved = await context.SaveChangesAsync();
        context.ChangeTracker.Clear();
        batch.Clear();
        return saved;
    }

    private long Check(long written)
    {
        using var context = NewContext();
        var rows = context.Sales.LongCount();
        if (written != Rows || rows != Rows)
        {
            throw new InvalidOperationException($"Expected {Rows} rows; {written} written, {rows} in the table.");
        }

        return rows;
    }

    private SalesContext NewContext()
    {
        var options = new DbContextOptionsBuilder<SalesContext>();
        Configure(options);
        return new SalesContext(options.Options);
    }

    private void Configure(DbContextOptionsBuilder options) => options.UseSqlite($"Data Source={_database}");
}
