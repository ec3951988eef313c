using System.Globalization;
using DataImport.Sqlite.CrashHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: DataImport.Sqlite.CrashHost <folder> <batch to stall in> [after]  ("after": stall once that batch has committed)
// Runs the background worker over <folder>/jobs.db until it is killed.
var folder = args[0];
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var sink = new UpsertSink(folder) { MarkBatch = int.Parse(args[1], CultureInfo.InvariantCulture), MarkAfterCommit = args.Length > 2 && args[2] == "after" };
CrashHostSetup.Configure(builder.Services, folder, "crash-host", sink);
await builder.Build().RunAsync();
