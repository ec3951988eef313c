#region ReadMe
using System.ComponentModel.DataAnnotations;
using DataImport;
using Microsoft.Extensions.DependencyInjection;
#endregion
using System.Text.RegularExpressions;
using static DataImport.Tests.ReadMeSource;

// The README's embedding example, compiled and run. The code between the "#region ReadMe" lines, in file order, is
// exactly the README's example (ReadMe_EmbeddingExample_IsTheCodeThisFileRuns keeps them equal), so the first thing a
// user copies works. Its types live in their own namespace: the tests' own Customer is another class.
namespace DataImport.Tests.ReadMe;

public sealed partial class ReadMeTest
{
    private const string CustomersCsv = """
        Name;Email;Balance;Born
        Ada Lovelace;ada@example.com;1.234,50;10.12.1815
        Charles Babbage;charles@example.com;-5,00;1791-12-26
        Grace Hopper;grace@example.com;;1906-12-09
        """;

    [Fact]
    public async Task ReadMe_EmbeddingExample_ImportsTheGoodRowsAndWritesTheBadOneToTheNotImportedFile()
    {
        // The example opens customers.csv in the working directory, as a user's program would.
        File.WriteAllText("customers.csv", CustomersCsv);
        try
        {
            var (job, table) = await RunTheReadMeExample();

            job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
            (job.ImportedCount, job.FailedCount).Should().Be((2, 1));
            table.Rows.Values.Select(c => (c.Name, c.Email, c.Balance, c.Born)).Should().BeEquivalentTo(
            [
                ("Ada Lovelace", "ada@example.com", (decimal?)1234.50m, (DateOnly?)new DateOnly(1815, 12, 10)),
                ("Grace Hopper", "grace@example.com", (decimal?)null, (DateOnly?)new DateOnly(1906, 12, 9)),
            ]);
            var notImported = File.ReadAllText("customers.not-imported.csv");
            notImported.Should().Contain("Charles Babbage;charles@example.com;-5,00;1791-12-26;3;").And.Contain("must not be negative");
        }
        finally
        {
            File.Delete("customers.csv");
            File.Delete("customers.not-imported.csv");
        }
    }

    [Fact]
    public void ReadMe_EmbeddingExample_IsTheCodeThisFileRuns()
    {
        var root = RepositoryRoot();
        var readMe = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var embedding = readMe[readMe.IndexOf("\n### In any .NET program\n", StringComparison.Ordinal)..];
        var example = CSharpBlock().Match(embedding).Groups["code"].Value;

        var source = File.ReadAllText(Path.Combine(root, "tests", "DataImport.Core.Tests", "ReadMeTest.cs")).ReplaceLineEndings("\n");
        var regions = ReadMeRegion().Matches(source).Select(m => Dedent(m.Groups["code"].Value));

        example.Should().Be(string.Join("\n\n", regions));
    }

    private static async Task<(ImportJobDto Job, CustomerTable Table)> RunTheReadMeExample()
    {
        #region ReadMe
        var services = new ServiceCollection();
        services.AddDataImport(options => options.BatchSize = 500)
            .AddEntity<Customer>(e => e.Key(c => c.Email)                       // or [Key] on the property
                .Validate(c => c.Balance is null or >= 0, nameof(Customer.Balance), "must not be negative"))
            .AddSink<Customer, CustomerSink>();                                 // your persistence
        services.AddSingleton<CustomerTable>();                                 // what the sink writes to
        using var provider = services.BuildServiceProvider();

        // Run an import (RunAsync to the end, or Start for an IImportJob running in the background):
        var engine = provider.GetRequiredService<ImportEngine>();
        await using var file = File.OpenRead("customers.csv");
        await using var notImported = File.Create("customers.not-imported.csv");
        ImportJobDto job = await engine.RunAsync(new ImportRequest
        {
            Entity = "Customer",
            FileType = "csv",                                  // or "xlsx"
            File = file,
            FileName = "customers.csv",
            Mapping = ColumnMapping.Parse("""{"1":"Name","2":"Email","3":"Balance","4":"Born"}"""),  // or ColumnMapping.ByHeaderName
            Locale = "de-DE",                                  // numbers and dates; ISO 8601 always accepted
            TimezoneOffset = 60,                               // minutes EAST of UTC (negate JS getTimezoneOffset())
            Mode = ImportMode.CreateAndUpdate,
            NotImportedOutput = notImported,
        }, progress: new Progress<ImportJobDto>(p => Console.WriteLine($"{p.Progress}%")));

        Console.WriteLine($"{job.Status}: {job.ImportedCount} imported, {job.FailedCount} not imported");
        #endregion
        return (job, provider.GetRequiredService<CustomerTable>());
    }
}

#region ReadMe
public sealed class Customer
{
    [Required, MaxLength(100)] public string Name { get; set; } = "";
    [Required] public string Email { get; set; } = "";
    public decimal? Balance { get; set; }
    public DateOnly? Born { get; set; }
}

// The host's persistence: find existing keys, write a batch atomically (in a database: one transaction).
public sealed class CustomerSink(CustomerTable table) : ImportSink<Customer>
{
    public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<ImportKey>>(keys.Where(k => table.Rows.ContainsKey((string)k[0]!)).ToHashSet());

    public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
    {
        foreach (var write in batch)
        {
            // Every property is mapped here; with a partial mapping, an update sets only write.MappedProperties.
            table.Rows[write.Record.Email] = write.Record;
        }

        return ValueTask.CompletedTask;
    }
}

// Stands in for the host's database table of customers, keyed by email.
public sealed class CustomerTable
{
    public Dictionary<string, Customer> Rows { get; } = [];
}
#endregion
