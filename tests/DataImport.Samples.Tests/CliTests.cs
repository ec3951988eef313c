using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace DataImport.Samples.Tests;

/// <summary>The CLI run as a process, as a user runs it, from the dataimport.dll its project built.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("dataimport-cli-").FullName;

    private static string CliAssembly => typeof(CliTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliAssembly").Value!;

    [Fact]
    public async Task Cli_NoArguments_ImportsBundledSampleAndPrintsSummary()
    {
        var (exit, stdout, stderr) = await RunAsync();

        exit.Should().Be(0, stderr);
        stdout.Should().Contain("Completed: customers.csv → Customer (dataimport-sample.db)");
        stdout.Should().Contain("rows 400, created 395, updated 1, skipped 1, errors 3");
        File.Exists(Path.Combine(_workDir, "dataimport-sample.db")).Should().BeTrue();
        File.Exists(Path.Combine(_workDir, "customers.not-imported.csv")).Should().BeTrue();
    }

    [Fact]
    public async Task Cli_Json_PrintsTheJobAsJson()
    {
        var (exit, stdout, stderr) = await RunAsync("--json", "--dry-run");

        exit.Should().Be(0, stderr);
        using var json = JsonDocument.Parse(stdout);
        json.RootElement.GetProperty("status").GetString().Should().Be("Completed");
        json.RootElement.GetProperty("createdCount").GetInt32().Should().Be(395);
        json.RootElement.GetProperty("failedCount").GetInt32().Should().Be(4);
    }

    [Theory]
    [InlineData("--mode", "Sometimes")]
    [InlineData("--bogus")]
    [InlineData("--file", "no-such-file.csv")]
    public async Task Cli_BadArguments_ExitCode2WithOneLine(params string[] args)
    {
        var (exit, _, stderr) = await RunAsync(args);

        exit.Should().Be(2);
        stderr.Trim().Should().NotBeEmpty().And.NotContain("\n");
    }

    [Fact]
    public async Task Cli_NotImportedPathInMissingFolder_ExitCode1WithOneLineNotAStackTrace()
    {
        var (exit, _, stderr) = await RunAsync("--not-imported", Path.Combine(_workDir, "missing", "x.csv"));

        exit.Should().Be(1);
        stderr.Trim().Should().StartWith("error: ").And.NotContain("\n").And.NotContain(" at ");
    }

    [Fact]
    public async Task Cli_FileThatCannotBeOpened_FailureSummaryShowsZeroRowsNotBlank()
    {
        var path = Path.Combine(_workDir, "not-a-workbook.xlsx");
        await File.WriteAllTextAsync(path, "Name,Email\nAda,a@x.com\n");

        var (exit, stdout, _) = await RunAsync("--file", path, "--dry-run");

        exit.Should().Be(1);
        stdout.Should().Contain("rows 0, created 0, updated 0, skipped 0, errors 0").And.Contain("not a valid XLSX workbook");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        File.Exists(CliAssembly).Should().BeTrue($"the CLI is built beside the tests ({CliAssembly})");
        // The dotnet CLI tells its children where it is; fall back to the one on PATH.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet") { WorkingDirectory = _workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CliAssembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
