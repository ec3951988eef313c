using System.Text;
using BenchmarkDotNet.Attributes;
using CsvHelper;
using Sylvan.Data.Csv;

namespace DataImport.Benchmarks;

/// <summary>Row counts: 100k and 1M, or 100k only when run with --quick.</summary>
public static class Sizes
{
    public static IEnumerable<int> Rows => Environment.GetEnvironmentVariable("DATAIMPORT_BENCH_QUICK") == "1" ? [100_000] : [100_000, 1_000_000];

    public static StreamReader OpenText(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan), Encoding.UTF8, true, 64 * 1024);

    public static Sylvan.Data.Csv.CsvDataReader OpenSylvan(string path) =>
        Sylvan.Data.Csv.CsvDataReader.Create(OpenText(path), new CsvDataReaderOptions { HasHeaders = true, Delimiter = ',', BufferSize = 64 * 1024 });

    /// <summary>The current row of the sales file as the hand-written baseline parses it (one place for every benchmark that uses it).</summary>
    public static SalesRecord ReadSales(Sylvan.Data.Csv.CsvDataReader reader)
    {
        var inv = Inv.Culture;
        return new SalesRecord
        {
            Region = reader.GetString(0),
            Country = reader.GetString(1),
            ItemType = reader.GetString(2),
            SalesChannel = reader.GetString(3),
            OrderPriority = reader.GetString(4),
            OrderDate = DateOnly.FromDateTime(DateTime.ParseExact(reader.GetFieldSpan(5), "M/d/yyyy", inv)),
            OrderId = long.Parse(reader.GetFieldSpan(6), inv),
            ShipDate = DateOnly.FromDateTime(DateTime.ParseExact(reader.GetFieldSpan(7), "M/d/yyyy", inv)),
            UnitsSold = int.Parse(reader.GetFieldSpan(8), inv),
            UnitPrice = decimal.Parse(reader.GetFieldSpan(9), inv),
            UnitCost = decimal.Parse(reader.GetFieldSpan(10), inv),
            TotalRevenue = decimal.Parse(reader.GetFieldSpan(11), inv),
            TotalCost = decimal.Parse(reader.GetFieldSpan(12), inv),
            TotalProfit = decimal.Parse(reader.GetFieldSpan(13), inv),
        };
    }
}

/// <summary>
/// What both CSV benchmark classes share: the row counts, the file, the engines (default and one thread) and the
/// floor, raw Sylvan field reads.
/// </summary>
public abstract class CsvBenchmarks
{
    protected ImportEngine Engine { get; private set; } = null!;

    protected ImportEngine OneThread { get; private set; } = null!;

    protected string FilePath { get; private set; } = null!;

    [ParamsSource(typeof(Sizes), nameof(Sizes.Rows))]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        FilePath = CreateFile(Rows);
        Engine = Engines.Create();
        OneThread = Engines.Create(readAhead: false, degree: 1);
    }

    [Benchmark(Description = "a) Sylvan raw GetFieldSpan")]
    public long SylvanRaw()
    {
        using var reader = Sizes.OpenSylvan(FilePath);
        long total = 0;
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                total += reader.GetFieldSpan(i).Length;
            }
        }

        return total;
    }

    /// <summary>Generates (once) and returns the file of <paramref name="rows"/> rows.</summary>
    protected abstract string CreateFile(int rows);
}

/// <summary>
/// The SalesRecords-like CSV read by: Sylvan raw (the floor), hand-written Sylvan binding, CsvHelper, and the engine
/// (POCO and run-time schema entities; CreateOnly without a key, CreateAndUpdate keyed on Order ID) to a no-op sink.
/// </summary>
[MemoryDiagnoser]
public class SalesCsvBenchmarks : CsvBenchmarks
{
    protected override string CreateFile(int rows) => DataFiles.SalesCsv(rows);

    [Benchmark(Baseline = true, Description = "b) Sylvan hand-written POCO")]
    public long SylvanTyped()
    {
        using var reader = Sizes.OpenSylvan(FilePath);
        long count = 0;
        SalesRecord? last = null;
        while (reader.Read())
        {
            last = Sizes.ReadSales(reader);
            count++;
        }

        return count + (last?.UnitsSold ?? 0);
    }

    [Benchmark(Description = "c) CsvHelper GetRecords")]
    public long CsvHelperRecords()
    {
        using var text = Sizes.OpenText(FilePath);
        using var csv = new CsvReader(text, Inv.Culture);
        csv.Context.RegisterClassMap<SalesMap>();
        long count = 0;
        foreach (var record in csv.GetRecords<SalesRecord>())
        {
            count += record.UnitsSold > 0 ? 1 : 0;
        }

        return count;
    }

    [Benchmark(Description = "d) Engine POCO CreateOnly")]
    public Task<long> EnginePocoCreateOnly() => Engines.ImportAsync<SalesRecord>(Engine, Engines.Sales, FilePath, ImportMode.CreateOnly, Rows);

    [Benchmark(Description = "d) Engine POCO CreateOnly, one thread")]
    public Task<long> EnginePocoCreateOnlyOneThread() => Engines.ImportAsync<SalesRecord>(OneThread, Engines.Sales, FilePath, ImportMode.CreateOnly, Rows);

    [Benchmark(Description = "d) Engine POCO CreateAndUpdate key")]
    public Task<long> EnginePocoUpsert() => Engines.ImportAsync<SalesRecord>(Engine, Engines.SalesKeyed, FilePath, ImportMode.CreateAndUpdate, Rows);

    [Benchmark(Description = "d) Engine schema CreateOnly")]
    public Task<long> EngineSchemaCreateOnly() => Engines.ImportAsync<ImportRecord>(Engine, Engines.SalesSchema, FilePath, ImportMode.CreateOnly, Rows);

    [Benchmark(Description = "d) Engine schema CreateAndUpdate key")]
    public Task<long> EngineSchemaUpsert() => Engines.ImportAsync<ImportRecord>(Engine, Engines.SalesSchemaKeyed, FilePath, ImportMode.CreateAndUpdate, Rows);

    [Benchmark(Description = "Engine's progress pre-count only")]
    public async Task<int?> RowCounterOnly()
    {
        await using var file = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
        return await DataImport.Csv.CsvRowCounter.CountDataRowsAsync(file, null, ',', hasHeaderRow: true, CancellationToken.None);
    }
}

/// <summary>The customers-like CSV: quoted fields with commas and doubled quotes inside.</summary>
[MemoryDiagnoser]
public class CustomersCsvBenchmarks : CsvBenchmarks
{
    protected override string CreateFile(int rows) => DataFiles.CustomersCsv(rows);

    [Benchmark(Baseline = true, Description = "b) Sylvan hand-written POCO")]
    public long SylvanTyped()
    {
        using var reader = Sizes.OpenSylvan(FilePath);
        var inv = Inv.Culture;
        long count = 0;
        CustomerRecord? last = null;
        while (reader.Read())
        {
            var notes = reader.GetFieldSpan(11);
            last = new CustomerRecord
            {
                Index = int.Parse(reader.GetFieldSpan(0), inv),
                CustomerId = reader.GetString(1),
                FirstName = reader.GetString(2),
                LastName = reader.GetString(3),
                Company = reader.GetString(4),
                City = reader.GetString(5),
                Country = reader.GetString(6),
                Phone = reader.GetString(7),
                Email = reader.GetString(8),
                SubscriptionDate = DateOnly.FromDateTime(DateTime.ParseExact(reader.GetFieldSpan(9), "yyyy-MM-dd", inv)),
                Website = reader.GetString(10),
                Notes = notes.IsEmpty ? null : notes.ToString(),
                Balance = decimal.Parse(reader.GetFieldSpan(12), inv),
            };
            count++;
        }

        return count + (last?.Index ?? 0);
    }

    [Benchmark(Description = "c) CsvHelper GetRecords")]
    public long CsvHelperRecords()
    {
        using var text = Sizes.OpenText(FilePath);
        using var csv = new CsvReader(text, Inv.Culture);
        csv.Context.RegisterClassMap<CustomerMap>();
        long count = 0;
        foreach (var record in csv.GetRecords<CustomerRecord>())
        {
            count += record.Index > 0 ? 1 : 0;
        }

        return count;
    }

    [Benchmark(Description = "d) Engine POCO CreateOnly")]
    public Task<long> EnginePocoCreateOnly() => Engines.ImportAsync<CustomerRecord>(Engine, Engines.Customers, FilePath, ImportMode.CreateOnly, Rows);

    [Benchmark(Description = "d) Engine POCO CreateOnly, one thread")]
    public Task<long> EnginePocoCreateOnlyOneThread() => Engines.ImportAsync<CustomerRecord>(OneThread, Engines.Customers, FilePath, ImportMode.CreateOnly, Rows);

    [Benchmark(Description = "d) Engine POCO CreateAndUpdate key")]
    public Task<long> EnginePocoUpsert() => Engines.ImportAsync<CustomerRecord>(Engine, Engines.CustomersKeyed, FilePath, ImportMode.CreateAndUpdate, Rows);
}
