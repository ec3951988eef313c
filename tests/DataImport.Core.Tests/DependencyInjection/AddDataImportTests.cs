using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DataImport.Tests.DependencyInjection;

public sealed class AddDataImportTests
{
    [Fact]
    public void AddDataImport_CalledTwice_RegistersOneEngineAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddDataImport(o => o.BatchSize = 10).AddEntity<Customer>(e => e.Key(c => c.Email));
        services.AddDataImport(o => o.MaxReportedErrors = 5);

        services.Count(d => d.ServiceType == typeof(ImportEngine)).Should().Be(1);
        var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<DataImportOptions>>().Value;
        (options.BatchSize, options.MaxReportedErrors).Should().Be((10, 5));
        provider.GetRequiredService<ImportEngine>().Entities.Should().ContainSingle().Which.Name.Should().Be("Customer");
    }

    [Fact]
    public void AddDataImport_InvalidOptions_ReportsEveryProblemAtOnce()
    {
        var services = new ServiceCollection();
        services.AddDataImport(o =>
        {
            o.BatchSize = 0;
            o.MaxColumns = -1;
            o.MaxRows = 0;
        });
        var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<DataImportOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().HaveCount(3)
            .And.Contain(f => f.Contains("BatchSize is 0"))
            .And.Contain(f => f.Contains("MaxColumns is -1"))
            .And.Contain(f => f.Contains("MaxRows is 0"));
    }

    [Fact]
    public async Task AddValidator_TwoProvidersFromOneServiceCollection_EachReportsTheProblemOnce()
    {
        var services = new ServiceCollection();
        services.AddDataImport().AddEntitiesFromJson(TestEngine.CustomerSchemaJson)
            .AddValidator("Customer", r => r["Email"] is string e && !e.Contains('@') ? [new ValidationProblem("Email", "is not an e-mail address")] : []);
        var first = services.BuildServiceProvider().GetRequiredService<ImportEngine>();
        var second = services.BuildServiceProvider().GetRequiredService<ImportEngine>();

        foreach (var engine in new[] { first, second, first })
        {
            using var input = new MemoryStream("Name,Email\nAda,nope\nBob,b@x.com\n"u8.ToArray());
            var job = await engine.RunAsync(TestEngine.Csv(input), new InMemoryImportSink<ImportRecord>());

            job.Errors.Should().ContainSingle().Which.Should().Match<ImportRowError>(e => e.Row == 2 && e.Message == "is not an e-mail address");
            (job.ErrorCount, job.CreatedCount).Should().Be((1, 1));
        }
    }

    [Fact]
    public void AddValidator_UnknownEntity_ResolvingTheEngineThrowsNamingTheEntityAndTheKnownOnes()
    {
        var services = new ServiceCollection();
        services.AddDataImport().AddEntitiesFromJson(TestEngine.CustomerSchemaJson).AddValidator("Custmer", _ => []);
        var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<ImportEngine>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("'Custmer'").And.Contain("registered entities: Customer");
    }

    [Fact]
    public void AddValidator_EntityRegisteredFromAClass_ResolvingTheEngineThrowsPointingToValidate()
    {
        var services = new ServiceCollection();
        services.AddDataImport().AddValidator("Customer", _ => []).AddEntity<Customer>(e => e.Key(c => c.Email));
        var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<ImportEngine>();

        act.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("'Customer'").And.Contain("Validate");
    }

    [Fact]
    public void DataImportOptions_Defaults_AreTheXlsxReadersLimits()
    {
        var engine = new DataImportOptions();
        var xlsx = new DataImport.Xlsx.XlsxReaderOptions();

        (engine.MaxColumns, engine.MaxUncompressedBytes, (double)engine.MaxCompressionRatio)
            .Should().Be((xlsx.MaxColumns, xlsx.MaxPartUncompressedBytes, xlsx.MaxCompressionRatio));
    }

    [Fact]
    public async Task AddReader_HostReaderForAnotherType_IsUsed()
    {
        var engine = TestEngine.Create(b => b.AddEntitiesFromJson(TestEngine.CustomerSchemaJson).AddReader(new JsonLinesReader()));
        using var input = new MemoryStream("""{"Name":"Ada","Email":"a@x.com","Balance":2.5}"""u8.ToArray());
        var sink = new InMemoryImportSink<ImportRecord>();

        var job = await engine.RunAsync(new ImportRequest { Entity = "Customer", FileType = "jsonl", File = input }, sink);

        job.CreatedCount.Should().Be(1, job.Message);
        sink.Records.Single()["Balance"].Should().Be(2.5m);
    }

    /// <summary>A minimal host reader: one JSON object per line, keys as headers.</summary>
    private sealed class JsonLinesReader : ImportReaderFactory
    {
        public override string FileType => "jsonl";

        public override async ValueTask<System.Data.Common.DbDataReader> OpenAsync(ImportReaderContext context, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(context.File, leaveOpen: true);
            var table = new System.Data.DataTable();
            string? line;
            while ((line = await reader.ReadLineAsync(cancellationToken)) is not null)
            {
                using var document = System.Text.Json.JsonDocument.Parse(line);
                var row = table.NewRow();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!table.Columns.Contains(property.Name))
                    {
                        table.Columns.Add(property.Name, typeof(object));
                        row = CopyRow(table, row);
                    }

                    row[property.Name] = property.Value.ValueKind == System.Text.Json.JsonValueKind.Number ? property.Value.GetDouble() : property.Value.ToString();
                }

                table.Rows.Add(row);
            }

            return table.CreateDataReader();
        }

        private static System.Data.DataRow CopyRow(System.Data.DataTable table, System.Data.DataRow old)
        {
            var row = table.NewRow();
            for (var i = 0; i < old.ItemArray.Length; i++)
            {
                row[i] = old[i];
            }

            return row;
        }
    }
}
