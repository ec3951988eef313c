#region ReadMe
using DataImport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
#endregion
using System.Text.RegularExpressions;
using DataImport.Tests;
using static DataImport.Tests.ReadMeSource;

// The README's "Health checks and metrics" example, compiled and run. The code between the "#region ReadMe" lines, in
// file order, is exactly the example of the root README's section and of the package README
// (ReadMe_HealthExample_IsTheCodeThisFileRuns keeps them equal).
namespace DataImport.HealthChecks.Tests;

public sealed partial class ReadMeTest
{
    [Fact]
    public async Task ReadMe_HealthExample_ReportsEveryCheckHealthyOnAStartedHost()
    {
        var report = await RunTheReadMeExample();

        report.Status.Should().Be(HealthStatus.Healthy, string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Description}")));
        report.Entries.Keys.Should().BeEquivalentTo("dataimport-worker", "dataimport-queue", "dataimport-store");
    }

    [Fact]
    public void ReadMe_HealthExample_IsTheCodeThisFileRuns()
    {
        var root = RepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "DataImport.HealthChecks.Tests", "ReadMeTest.cs")).ReplaceLineEndings("\n");
        var code = string.Join("\n\n", ReadMeRegion().Matches(source).Select(m => Dedent(m.Groups["code"].Value)));

        var readMe = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var section = readMe[readMe.IndexOf("\n## Health checks and metrics\n", StringComparison.Ordinal)..];
        CSharpBlock().Match(section).Groups["code"].Value.Should().Be(code);

        var packageReadMe = File.ReadAllText(Path.Combine(root, "src", "DataImport.HealthChecks", "README.md")).ReplaceLineEndings("\n");
        var use = packageReadMe[packageReadMe.IndexOf("\n## Use\n", StringComparison.Ordinal)..];
        CSharpBlock().Match(use).Groups["code"].Value.Should().Be(code);
    }

    private static async Task<HealthReport> RunTheReadMeExample()
    {
        #region ReadMe
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDataImport()
            .AddEntity<Customer>(e => e.Key(c => c.Email))
            .AddSink<Customer, InMemoryImportSink<Customer>>()              // your sink
            .AddBackgroundJobs();
        builder.Services.AddHealthChecks()
            .AddDataImportHealthChecks(o => o.MaxQueuedAge = TimeSpan.FromMinutes(5));   // dataimport-worker, -queue, -store
        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter("DataImport"));                    // and your exporter, e.g. .AddOtlpExporter()
        using var host = builder.Build();
        await host.StartAsync();

        // In ASP.NET Core: app.MapHealthChecks("/health");
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Console.WriteLine($"{report.Status}: {string.Join(", ", report.Entries.Select(e => $"{e.Key} {e.Value.Status}"))}");
        await host.StopAsync();
        #endregion
        return report;
    }
}
