using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using CsvHelper;

namespace DataImport.Benchmarks;

/// <summary>Row counts: 100k and 1M, or 100k only when run with --quick.</summary>
public static class Sizes
{
    public static IEnumerable<int> Rows => Environment.GetEnvironmentVariable("DATAIMPORT_BENCH_QUICK") == "1" ? [100_000] : [100_000, 1_000_000];

    /// <summary>The file as the engine benchmarks open it (<see cref="Engines.ImportAsync{TRecord}"/>): sequential scan.</summary>
    public static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
}

/// <summary>How every CsvHelper 34 contender opens a file, and the check of what it read (the benchmarks and <c>--race</c>).</summary>
public static class CsvHelper34Reading
{
    /// <summary>The options both sides share: the delimiter given, the invariant culture, CsvHelper's defaults otherwise.</summary>
    public static readonly CsvReaderOptions Options = new() { Separator = ',', FormatProvider = CultureInfo.InvariantCulture };

    /// <summary>A reader of the file; for a file with bad rows, one that skips them and collects each into <paramref name="errors"/>.</summary>
    public static CsvReader Open(string path, int badRows, ConcurrentQueue<CsvRecordError> errors)
    {
        var options = badRows == 0 ? Options : Options with
        {
            OnRecordError = error =>
            {
                errors.Enqueue(error);
                return true;
            },
        };
        return CsvReader.Create(Sizes.OpenFile(path), options);
    }

    /// <summary>Throws unless CsvHelper read every good row and skipped every bad one.</summary>
    public static long Check(long records, ConcurrentQueue<CsvRecordError> errors, int rows, int badRows)
    {
        if (records != rows - badRows || errors.Count != badRows)
        {
            throw new InvalidOperationException($"CsvHelper read {records} records and skipped {errors.Count} of {rows} rows; expected {badRows} bad rows.");
        }

        return records;
    }
}

/// <summary>
/// One file read by CsvHelper 34 (raw field spans, <c>GetRecords</c>, <c>EnumerateRecords</c> into one instance,
/// <c>ParallelEnumerate</c> on every core) and by the engine (default: conversion on every core; one thread: <c>MaxDegreeOfParallelism = 1</c> and
/// <c>ReadAhead = false</c>; read-ahead with one converting thread, the default before conversion on every core) to a no-op sink.
/// CsvHelper 34 reads the same <see cref="FileStream"/> as the engine, with the delimiter given and its other
/// options at their defaults; records are the same classes, mapped by the source generator (<c>CsvHelper34Maps.cs</c>).
/// A file with bad rows has CsvHelper skip and collect them through <c>OnRecordError</c>.
/// </summary>
[MemoryDiagnoser]
public abstract class CsvHelper34Benchmarks<TRecord>
    where TRecord : class, new()
{
    private ImportEngine _engine = null!;

    private ImportEngine _oneThread = null!;

    private ImportEngine _readAhead = null!;

    private string _path = null!;

    [ParamsSource(typeof(Sizes), nameof(Sizes.Rows))]
    public int Rows { get; set; }

    /// <summary>Gets the number of rows of the file that cannot be read as <typeparamref name="TRecord"/>.</summary>
    protected virtual int BadRows => 0;

    /// <summary>Gets the engine's name of the entity.</summary>
    protected abstract string Entity { get; }

    [GlobalSetup]
    public void Setup()
    {
        _path = CreateFile(Rows);
        _engine = Engines.Create();
        _oneThread = Engines.Create(readAhead: false, degree: 1);
        _readAhead = Engines.Create(readAhead: true, degree: 1);
    }

    [Benchmark(Description = "a) CH34 raw GetSpan")]
    public long RawGetSpan()
    {
        using var csv = CsvReader.Create(Sizes.OpenFile(_path), CsvHelper34Reading.Options);
        long total = 0;
        while (csv.Read())
        {
            for (var i = 0; i < csv.FieldCount; i++)
            {
                total += csv.GetSpan(i).Length;
            }
        }

        return total;
    }

    [Benchmark(Baseline = true, Description = "c) CH34 GetRecords")]
    public long GetRecords()
    {
        var errors = new ConcurrentQueue<CsvRecordError>();
        using var csv = CsvHelper34Reading.Open(_path, BadRows, errors);
        long count = 0;
        foreach (var record in csv.GetRecords<TRecord>())
        {
            count += record is null ? 0 : 1;
        }

        return CsvHelper34Reading.Check(count, errors, Rows, BadRows);
    }

    [Benchmark(Description = "c) CH34 EnumerateRecords, one instance")]
    public long EnumerateRecords()
    {
        var errors = new ConcurrentQueue<CsvRecordError>();
        using var csv = CsvHelper34Reading.Open(_path, BadRows, errors);
        long count = 0;
        foreach (var record in csv.EnumerateRecords(new TRecord()))
        {
            count += record is null ? 0 : 1;
        }

        return CsvHelper34Reading.Check(count, errors, Rows, BadRows);
    }

    [Benchmark(Description = "c) CH34 ParallelEnumerate(ProcessorCount)")]
    public long ParallelEnumerate()
    {
        var errors = new ConcurrentQueue<CsvRecordError>();
        using var csv = CsvHelper34Reading.Open(_path, BadRows, errors);
        long count = 0;
        foreach (var record in csv.ParallelEnumerate<TRecord>(Environment.ProcessorCount))
        {
            count += record is null ? 0 : 1;
        }

        return CsvHelper34Reading.Check(count, errors, Rows, BadRows);
    }

    [Benchmark(Description = "d) Engine POCO CreateOnly")]
    public Task<long> EngineDefault() => Engines.ImportAsync<TRecord>(_engine, Entity, _path, ImportMode.CreateOnly, Rows - BadRows, BadRows);

    [Benchmark(Description = "d) Engine POCO CreateOnly, one thread")]
    public Task<long> EngineOneThread() => Engines.ImportAsync<TRecord>(_oneThread, Entity, _path, ImportMode.CreateOnly, Rows - BadRows, BadRows);

    [Benchmark(Description = "d) Engine POCO CreateOnly, read-ahead, one converting thread")]
    public Task<long> EngineReadAhead() => Engines.ImportAsync<TRecord>(_readAhead, Entity, _path, ImportMode.CreateOnly, Rows - BadRows, BadRows);

    /// <summary>Generates (once) and returns the file of <paramref name="rows"/> rows.</summary>
    protected abstract string CreateFile(int rows);
}

/// <summary>The SalesRecords-like CSV (unquoted, 14 columns, two M/d/yyyy dates, five decimals).</summary>
public class Sales34Benchmarks : CsvHelper34Benchmarks<SalesRecord>
{
    protected override string Entity => Engines.Sales;

    protected override string CreateFile(int rows) => DataFiles.SalesCsv(rows);
}

/// <summary>The customers-like CSV: quoted fields with commas and doubled quotes inside.</summary>
public class Customers34Benchmarks : CsvHelper34Benchmarks<CustomerRecord>
{
    protected override string Entity => Engines.Customers;

    protected override string CreateFile(int rows) => DataFiles.CustomersCsv(rows);
}

/// <summary>
/// The sales CSV with 2% bad rows (a numeric field reads <c>n/a</c>): CsvHelper skips each through <c>OnRecordError</c>
/// (one exception per record) and collects it; the engine reports the failing field of each and imports the rest.
/// </summary>
public class BadRows34Benchmarks : CsvHelper34Benchmarks<SalesRecord>
{
    protected override int BadRows => DataFiles.BadRows(Rows);

    protected override string Entity => Engines.Sales;

    protected override string CreateFile(int rows) => DataFiles.SalesCsvWithBadRows(rows);
}
