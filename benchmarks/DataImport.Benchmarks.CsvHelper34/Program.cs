using DataImport.Benchmarks;

// Usage (see benchmarks/README.md, "CsvHelper 34"):
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks.CsvHelper34 -- --filter '*'           full run, 100k and 1M rows
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks.CsvHelper34 -- --quick --filter '*'   short job, 100k rows only
//   dotnet run -c Release --project benchmarks/DataImport.Benchmarks.CsvHelper34 -- --race [--file sales|customers|badrows]
//                                                                                one process, interleaved rounds (RaceRun)
return args.Contains("--race") ? RaceRun.Run(args) : BenchRunner.Run(typeof(Sales34Benchmarks).Assembly, args);
