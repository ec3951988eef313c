using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using DataImport.Benchmarks;

// Usage (see benchmarks/README.md, "CsvHelper 34"):
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks.CsvHelper34 -- --filter '*'           full run, 100k and 1M rows
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks.CsvHelper34 -- --quick --filter '*'   short job, 100k rows only
var quick = args.Contains("--quick");
if (quick)
{
    // Inherited by the benchmark child processes, where the row-count params are evaluated.
    Environment.SetEnvironmentVariable("DATAIMPORT_BENCH_QUICK", "1");
}

// The job of DataImport.Benchmarks, so the two tables compare.
var job = quick
    ? Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithId("Quick")
    : Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(6).WithId("Bench");
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(job.AsDefault())
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddExporter(MarkdownExporter.GitHub)
    .WithOption(ConfigOptions.DisableOptimizationsValidator, false);
BenchmarkSwitcher.FromAssembly(typeof(Sales34Benchmarks).Assembly).Run([.. args.Where(a => a != "--quick")], config);
return 0;
