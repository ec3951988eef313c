using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace DataImport.Benchmarks;

/// <summary>The BenchmarkDotNet job every benchmark project of the repo runs with, so their tables compare.</summary>
public static class BenchRunner
{
    /// <summary>Runs the benchmarks of <paramref name="assembly"/>; <c>--quick</c> runs a short job over 100k rows only.</summary>
    public static int Run(Assembly assembly, string[] args)
    {
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
        BenchmarkSwitcher.FromAssembly(assembly).Run([.. args.Where(a => a != "--quick")], config);
        return 0;
    }
}
