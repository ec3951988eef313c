using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using DataImport.Benchmarks;

// Usage (see benchmarks/README.md):
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --filter '*'           full run, 100k and 1M rows
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --quick --filter '*'   short job, 100k rows only
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --memory               peak working set, 100k/1M/5M rows
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks -- --store                SQLite job store against 0-100k finished jobs
if (args.Contains("--memory-child"))
{
    return await MemoryRun.ChildAsync(args);
}

if (args.Contains("--store"))
{
    return await StoreRun.RunAsync(args);
}

if (args.Contains("--memory"))
{
    return await MemoryRun.RunAsync();
}

var quick = args.Contains("--quick");
if (quick)
{
    // Inherited by the benchmark child processes, where the row-count params are evaluated.
    Environment.SetEnvironmentVariable("DATAIMPORT_BENCH_QUICK", "1");
}

// One launch, few iterations: a 1M-row operation takes 0.3-10 s, so each iteration is one invocation and
// the run stays within minutes on a shared 2-core machine. Noise shows in the Error/StdDev columns.
var job = quick
    ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithId("Quick")
    : Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(6).WithId("Bench");
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(job.AsDefault())
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddExporter(MarkdownExporter.GitHub)
    .WithOption(ConfigOptions.DisableOptimizationsValidator, false);
BenchmarkSwitcher.FromAssembly(typeof(SalesCsvBenchmarks).Assembly).Run([.. args.Where(a => a != "--quick")], config);
return 0;
