using DataImport.Benchmarks;

// Usage (see benchmarks/README.md):
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --filter '*'           full run, 100k and 1M rows
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --quick --filter '*'   short job, 100k rows only
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --memory               peak working set, 100k/1M/5M rows
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --store                SQLite job store against 0-100k finished jobs
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --postgres             PostgreSQL record sink vs hand-written COPY and EF Core (DATAIMPORT_TEST_POSTGRES or --connection)
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --claims --postgres "Host=…"   4 hosts claiming, SQLite vs PostgreSQL
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --repeat [--file sales] [--degree N]   one file imported 16 times in one process: times and processor time
if (args.Contains("--memory-child"))
{
    return await MemoryRun.ChildAsync(args);
}

if (args.Contains("--claims"))
{
    return await ClaimRun.RunAsync(args);
}

if (args.Contains("--store"))
{
    return await StoreRun.RunAsync(args);
}

if (args.Contains("--postgres"))
{
    return await PostgresSinkRun.RunAsync(args);
}

if (args.Contains("--repeat"))
{
    return await RepeatRun.RunAsync(args);
}

if (args.Contains("--memory"))
{
    return await MemoryRun.RunAsync();
}

return BenchRunner.Run(typeof(SalesCsvBenchmarks).Assembly, args);
