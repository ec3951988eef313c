using System.Diagnostics;
using System.Globalization;

namespace DataImport.Benchmarks;

/// <summary>
/// Imports one generated file many times in this process and prints each import's time, their median after the
/// warm-up, and the processor time the process used meanwhile (every thread: the converting workers, the progress
/// count, the collector). For comparing two builds on a noisy machine: run each build's process in turn, several rounds,
/// and compare medians and processor times (benchmarks/README.md, "A parallel run's processor time").
/// </summary>
/// <remarks>
/// Usage: <c>--repeat [--file sales|customers|badrows|schema|keyed] [--degree N] [--runs N] [--rows N]</c>; the defaults are the
/// sales file, the processor count, 16 runs and 1M rows. The first 4 runs are the warm-up (the first compiles the code).
/// </remarks>
public static class RepeatRun
{
    private const int WarmUp = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var file = Option(args, "--file") ?? "sales";
        var degree = int.Parse(Option(args, "--degree") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var runs = Math.Max(WarmUp + 1, int.Parse(Option(args, "--runs") ?? "16", CultureInfo.InvariantCulture));
        var rows = int.Parse(Option(args, "--rows") ?? "1000000", CultureInfo.InvariantCulture);
        if (file is not ("sales" or "customers" or "badrows" or "schema" or "keyed"))
        {
            await Console.Error.WriteLineAsync($"--file {file}: expected sales, customers, badrows, schema or keyed.");
            return 2;
        }

        var engine = Engines.Create(readAhead: degree != 1, degree: degree);
        var path = file switch
        {
            "customers" => DataFiles.CustomersCsv(rows),
            "badrows" => DataFiles.SalesCsvWithBadRows(rows),
            _ => DataFiles.SalesCsv(rows),
        };
        var times = new List<double>();
        var process = Process.GetCurrentProcess();
        var processorBefore = TimeSpan.Zero;
        for (var run = 0; run < runs; run++)
        {
            if (run == WarmUp)
            {
                process.Refresh();
                processorBefore = process.TotalProcessorTime;
            }

            var watch = Stopwatch.StartNew();
            _ = file switch
            {
                "customers" => await Engines.ImportAsync<CustomerRecord>(engine, Engines.Customers, path, ImportMode.CreateOnly, rows),
                "schema" => await Engines.ImportAsync<ImportRecord>(engine, Engines.SalesSchema, path, ImportMode.CreateOnly, rows),
                "badrows" => await Engines.ImportAsync<SalesRecord>(engine, Engines.Sales, path, ImportMode.CreateOnly, rows - DataFiles.BadRows(rows), DataFiles.BadRows(rows)),
                "keyed" => await Engines.ImportAsync<SalesRecord>(engine, Engines.SalesKeyed, path, ImportMode.CreateAndUpdate, rows),
                _ => await Engines.ImportAsync<SalesRecord>(engine, Engines.Sales, path, ImportMode.CreateOnly, rows),
            };
            Console.WriteLine($"run {run + 1}: {watch.Elapsed.TotalMilliseconds:F1} ms{(run < WarmUp ? " (warm-up)" : string.Empty)}");
            if (run >= WarmUp)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        process.Refresh();
        var processor = process.TotalProcessorTime - processorBefore;
        times.Sort();
        Console.WriteLine(
            $"{file}, {rows:N0} rows, degree {degree}: median {times[times.Count / 2]:F1} ms, fastest {times[0]:F1} ms, " +
            $"processor time {processor.TotalMilliseconds / times.Count:F1} ms per import ({times.Count} imports after {WarmUp} warm-up)");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
