using System.Diagnostics;
using System.Globalization;

namespace DataImport.Benchmarks;

/// <summary>
/// Imports generated 100k, 1M and 5M-row sales CSVs to a no-op sink, each in a fresh child process, and prints the
/// child's peak working set, so memory flatness in the row count is measured without one run's heap affecting the next.
/// </summary>
public static class MemoryRun
{
    private static readonly int[] RowCounts = [100_000, 1_000_000, 5_000_000];

    public static async Task<int> RunAsync()
    {
        var folder = Path.Combine(DataFiles.Folder, "memory");
        Directory.CreateDirectory(folder);
        var self = Environment.ProcessPath!;
        var dll = typeof(MemoryRun).Assembly.Location;
        var host = Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        Console.WriteLine("| Rows | Entity / mode | CSV size | Time | Rows/s | Peak working set | Managed heap after | Allocated |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        try
        {
            foreach (var rows in RowCounts)
            {
                var path = Path.Combine(folder, $"sales-{rows}.csv");
                if (!File.Exists(path))
                {
                    DataFiles.WriteSalesCsv(path, rows);
                }

                foreach (var (entity, mode) in new[] { (Engines.Sales, "CreateOnly"), (Engines.SalesKeyed, "CreateAndUpdate") })
                {
                    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
                    if (host)
                    {
                        start.ArgumentList.Add(dll);
                    }

                    foreach (var a in new[] { "--memory-child", path, rows.ToString(CultureInfo.InvariantCulture), entity, mode })
                    {
                        start.ArgumentList.Add(a);
                    }

                    using var child = Process.Start(start)!;
                    var output = await child.StandardOutput.ReadToEndAsync();
                    await child.WaitForExitAsync();
                    var line = output.Split('\n').LastOrDefault(l => l.StartsWith('|')) ?? $"| {rows} | child failed: {output.Trim()} |";
                    Console.WriteLine(line.TrimEnd() + "");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    public static async Task<int> ChildAsync(string[] args)
    {
        var at = Array.IndexOf(args, "--memory-child");
        var path = args[at + 1];
        var rows = int.Parse(args[at + 2], CultureInfo.InvariantCulture);
        var entity = args[at + 3];
        var mode = Enum.Parse<ImportMode>(args[at + 4]);
        var engine = Engines.Create();
        var watch = Stopwatch.StartNew();
        await Engines.ImportAsync<SalesRecord>(engine, entity, path, mode, rows);
        watch.Stop();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"| {rows:N0} | POCO {mode} | {new FileInfo(path).Length / 1048576.0:N0} MB | {watch.Elapsed.TotalSeconds:N2} s | {rows / watch.Elapsed.TotalSeconds:N0} | {process.PeakWorkingSet64 / 1048576.0:N1} MB | {GC.GetTotalMemory(false) / 1048576.0:N1} MB | {GC.GetTotalAllocatedBytes() / 1048576.0:N0} MB |"));
        return 0;
    }
}
