using System.Text;

namespace DataImport.Tests.Validation;

public sealed class RowValidatorTests
{
    private const string Schema = """
        {"entities": [{"name": "Seat", "properties": [
          {"name": "Code", "type": "string", "required": true, "maxLength": 4, "values": ["AB", "Cd"]},
          {"name": "Level", "type": "int", "required": true, "values": ["1", "2"]}]}]}
        """;

    private static async Task<(ImportJobDto Job, InMemoryImportSink<ImportRecord> Sink)> ImportAsync(string csv)
    {
        var engine = TestEngine.Create(b => b.AddEntitiesFromJson(Schema));
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var sink = new InMemoryImportSink<ImportRecord>();
        var job = await engine.RunAsync(TestEngine.Csv(input, entity: "Seat"), sink);
        return (job, sink);
    }

    [Fact]
    public async Task Import_AllowedWholeNumberFromText_KeepsItsValue()
    {
        // A whole-number property with allowed values used to lose a valid value: it passed the check and landed as null,
        // so a required one was skipped as missing.
        var (job, sink) = await ImportAsync("Code,Level\nab,2\n");

        job.Errors.Should().BeEmpty();
        job.CreatedCount.Should().Be(1);
        sink.Records.Should().ContainSingle().Which["Level"].Should().Be(2);
    }

    [Fact]
    public async Task Import_AllowedTextInOtherCase_TakesTheListedSpelling()
    {
        var (job, sink) = await ImportAsync("Code,Level\ncd,1\n");

        job.CreatedCount.Should().Be(1);
        sink.Records.Should().ContainSingle().Which["Code"].Should().Be("Cd");
    }

    [Fact]
    public async Task Import_TooLongAndNotAllowedValues_ReportsEachInColumnOrder()
    {
        var (job, _) = await ImportAsync("Code,Level\nABCDE,3\n,1\n");

        job.ErrorCount.Should().Be(1);
        job.SkippedCount.Should().Be(1);
        job.Errors.Select(e => $"{e.Row}|{e.Column}|{e.Property}|{e.Outcome}|{e.Code}|{e.Message}").Should().Equal(
            "2|1|Code|Error|too_long|'ABCDE' is 5 characters long; the maximum is 4",
            "2|2|Level|Error|not_allowed|'3' is not one of the allowed values: 1, 2",
            "3|1|Code|Skipped|value_required|a value is required");
    }
}
