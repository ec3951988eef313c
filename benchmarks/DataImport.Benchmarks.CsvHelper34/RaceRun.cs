using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CsvHelper;

namespace DataImport.Benchmarks;

/// <summary>
/// The engine and CsvHelper 34 in one process, in interleaved rounds over one file: each round runs every contender once
/// in turn (starting one contender later each round), and the medians over the rounds after the warm-up are printed with their ratio to CsvHelper's
/// <c>GetRecords</c>. Slow phases of a shared machine then hit every contender alike. Run it under <c>taskset -c 0</c>
/// to see one core (the engine's defaults then follow <see cref="Environment.ProcessorCount"/>, which is 1).
/// </summary>
/// <remarks>
/// Usage: <c>--race [--file sales|customers|badrows] [--rounds N] [--rows N] [--only name,name] [--verbose]</c>; the
/// defaults are the sales file, 9 rounds and 1M rows; the first 2 rounds are the warm-up (on one core the runtime's tiered
/// compilation takes longer to settle: give it more rounds). <c>--only</c> keeps the contenders whose names contain one
/// of the words (and <c>GetRecords</c>, the baseline); <c>--verbose</c> prints every run.
/// </remarks>
public static class RaceRun
{
    private const int WarmUp = 2;

    public static int Run(string[] args)
    {
        var file = Option(args, "--file") ?? "sales";
        var rounds = Math.Max(WarmUp + 1, int.Parse(Option(args, "--rounds") ?? "9", CultureInfo.InvariantCulture));
        var rows = int.Parse(Option(args, "--rows") ?? "1000000", CultureInfo.InvariantCulture);
        var race = file switch
        {
            "sales" => Contenders<SalesRecord>(DataFiles.SalesCsv(rows), Engines.Sales, rows, 0),
            "customers" => Contenders<CustomerRecord>(DataFiles.CustomersCsv(rows), Engines.Customers, rows, 0),
            "badrows" => Contenders<SalesRecord>(DataFiles.SalesCsvWithBadRows(rows), Engines.Sales, rows, DataFiles.BadRows(rows)),
            _ => null,
        };
        if (race is null)
        {
            Console.Error.WriteLine($"--file {file}: expected sales, customers or badrows.");
            return 2;
        }

        Console.WriteLine($"{file}, {rows:N0} rows, {Environment.ProcessorCount} processor(s), {rounds} rounds ({WarmUp} warm-up)");
        if (Option(args, "--only") is { } only)
        {
            var names = only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            race = [.. race.Where(c => c.Name == "CH34 GetRecords" || names.Any(n => c.Name.Contains(n, StringComparison.OrdinalIgnoreCase)))];
        }

        var times = race.ToDictionary(c => c.Name, _ => new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            // Each round starts one contender later, so what a contender leaves behind (garbage, threads winding down)
            // falls on every other contender in turn rather than always on the same one.
            for (var turn = 0; turn < race.Count; turn++)
            {
                var (name, run) = race[(turn + round) % race.Count];
                var watch = Stopwatch.StartNew();
                run();
                if (args.Contains("--verbose"))
                {
                    Console.WriteLine($"round {round + 1}, {name}: {watch.Elapsed.TotalMilliseconds:F1} ms");
                }

                if (round >= WarmUp)
                {
                    times[name].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }

        var baseline = Median(times["CH34 GetRecords"]);
        foreach (var (name, _) in race)
        {
            var median = Median(times[name]);
            Console.WriteLine($"{name,-40} {median,8:F1} ms  {baseline / median,5:F2}x GetRecords");
        }

        return 0;
    }

    private static List<(string Name, Action Run)> Contenders<TRecord>(string path, string entity, int rows, int badRows)
        where TRecord : class, new()
    {
        var errors = new ConcurrentQueue<CsvRecordError>();
        var engine = Engines.Create();
        var oneThread = Engines.Create(readAhead: false, degree: 1);
        return
        [
            ("CH34 GetRecords", () => CsvHelper34Reading.Check(Read(path, badRows, errors, csv => csv.GetRecords<TRecord>()), errors, rows, badRows)),
            ("CH34 ParallelEnumerate(ProcessorCount)", () => CsvHelper34Reading.Check(Read(path, badRows, errors, csv => csv.ParallelEnumerate<TRecord>(Environment.ProcessorCount)), errors, rows, badRows)),
            ("Engine default", () => Engines.ImportAsync<TRecord>(engine, entity, path, ImportMode.CreateOnly, rows - badRows, badRows).GetAwaiter().GetResult()),
            ("Engine one thread", () => Engines.ImportAsync<TRecord>(oneThread, entity, path, ImportMode.CreateOnly, rows - badRows, badRows).GetAwaiter().GetResult()),
        ];
    }

    private static long Read<TRecord>(string path, int badRows, ConcurrentQueue<CsvRecordError> errors, Func<CsvReader, IEnumerable<TRecord>> records)
    {
        errors.Clear();
        using var csv = CsvHelper34Reading.Open(path, badRows, errors);
        long count = 0;
        foreach (var record in records(csv))
        {
            count += record is null ? 0 : 1;
        }

        return count;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
