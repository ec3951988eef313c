namespace DataImport.Tests.Mapping;

public sealed class MappingTests
{
    private static ImportEngine Engine => TestEngine.Dynamic();

    private static ImportRequest Request(Stream input, ColumnMapping mapping) => TestEngine.Csv(input, mapping: mapping);

    [Fact]
    public void Validate_BadIndexesUnknownAndDuplicateProperties_ReportsEveryProblemAtOnce()
    {
        var mapping = new ColumnMapping().Map(0, "Name").Map(-2, "Balance").Map(2, "Emial").Map(3, "Email").Map(4, "email");
        using var input = new MemoryStream();

        var act = () => Engine.Validate(Request(input, mapping));

        act.Should().Throw<ImportValidationException>().Which.Problems.Select(p => p.Message).Should().Equal(
            "Mapping: column 0 is not valid; columns are numbered from 1.",
            "Mapping: column -2 is not valid; columns are numbered from 1.",
            "Mapping: column 2 maps to 'Emial', which is not a property of 'Customer' (properties: Name, Email, Balance, Born, Joined, Active, Tier).",
            "Mapping: property 'Email' is mapped twice (column 3 and column 4); map each property once.");
    }

    [Fact]
    public void Validate_KeyOrRequiredPropertyNotMapped_IsReported()
    {
        using var input = new MemoryStream();

        var act = () => Engine.Validate(Request(input, new ColumnMapping().Map(1, "Balance")));

        act.Should().Throw<ImportValidationException>().Which.Problems.Select(p => p.Message).Should().Equal(
            "Mapping: key property 'Email' of 'Customer' is not mapped; it is needed to match existing records.",
            "Mapping: required property 'Name' is not mapped, so no record could be created; map it, or use UpdateOnly to change existing records only.");
    }

    [Fact]
    public void Validate_UnknownEntityTypeLocaleAndOffset_AreAllReported()
    {
        using var input = new MemoryStream();
        var request = new ImportRequest { Entity = "Nope", FileType = "pdf", File = input, Locale = "xx-YY-bad", TimezoneOffset = 5000 };

        var act = () => Engine.Validate(request);

        act.Should().Throw<ImportValidationException>().Which.Problems.Select(p => p.Message).Should().HaveCount(4)
            .And.Contain(p => p.Contains("entity 'Nope' is not known"))
            .And.Contain(p => p.Contains("'pdf' is not supported"))
            .And.Contain(p => p.Contains("'xx-YY-bad'"))
            .And.Contain(p => p.Contains("5000"));
    }

    [Fact]
    public async Task Import_MapByHeaderName_IgnoresCaseAndUnmappedColumns()
    {
        using var file = new TempFile("Ignored,E-MAIL,full name\nzzz,a@x.com,Ada\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();

        var job = await Engine.RunAsync(Request(input, new ColumnMapping().Map("e-mail", "Email").Map("Full Name", "Name")), sink);

        job.CreatedCount.Should().Be(1, job.Message);
        sink.Records.Single().Should().BeEquivalentTo(new Dictionary<string, object?> { ["Name"] = "Ada", ["Email"] = "a@x.com" });
    }

    [Fact]
    public async Task Import_MapByHeaderNameMissingHeader_FailsListingTheHeaders()
    {
        using var file = new TempFile("Name,Mail\nAda,a@x.com\n");
        await using var input = file.Open();

        var job = await Engine.RunAsync(Request(input, new ColumnMapping().Map(1, "Name").Map("Email", "Email")), new InMemoryImportSink<ImportRecord>());

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Mapping: no column has the header 'Email' (headers: Name, Mail).");
    }

    [Fact]
    public async Task Import_MapByHeaderNameThatTwoColumnsHave_FailsNamingBothColumnsInsteadOfTakingTheFirst()
    {
        using var file = new TempFile("Name,Email,Name\nAda,a@x.com,Lovelace\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();

        var job = await Engine.RunAsync(Request(input, new ColumnMapping().Map("name", "Name").Map("Email", "Email")), sink);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Mapping: header 'name' is in columns 1 and 3; map it by column number.");
        sink.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task Import_AutomaticMappingWithDuplicateHeader_FailsNamingTheColumns()
    {
        using var file = new TempFile("Name,Email,Name,Name\nAda,a@x.com,Lovelace,A.\n");
        await using var input = file.Open();

        var job = await Engine.RunAsync(Request(input, ColumnMapping.ByHeaderName), new InMemoryImportSink<ImportRecord>());

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Mapping: header 'Name' is in columns 1, 3 and 4; map it by column number.");
    }

    [Fact]
    public async Task Import_DuplicateHeaderNotMappedByName_Imports()
    {
        using var file = new TempFile("Name,Email,Note,Note\nAda,a@x.com,x,y\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();

        var byNumber = await Engine.RunAsync(Request(input, TestEngine.Map("Name", "Email")), sink);
        input.Position = 0;
        var automatic = await Engine.RunAsync(Request(input, ColumnMapping.ByHeaderName), new InMemoryImportSink<ImportRecord>());

        byNumber.Status.Should().Be(ImportJobStatus.Completed, byNumber.Message);
        automatic.Status.Should().Be(ImportJobStatus.Completed, automatic.Message);
        sink.Records.Single()["Name"].Should().Be("Ada");
    }

    [Fact]
    public void Validate_BlankHeaderName_CannotBeMappedByName()
    {
        using var input = new MemoryStream();

        var act = () => Engine.Validate(Request(input, ColumnMapping.Parse("""{"1":"Name"," ":"Email"}""")));

        act.Should().Throw<ImportValidationException>().Which.Problems.Select(p => p.Message).Should().Equal(
            "Mapping: a blank header cannot be mapped by name (to 'Email'); map the column by number, e.g. {\"3\":\"Email\"}.");
    }

    [Fact]
    public void Parse_SeedJson_MapsIndexesAndHeaders()
    {
        var mapping = ColumnMapping.Parse("""{"1":"Name","2":"Email","Balance":"Balance"}""");

        mapping.Entries.Should().Equal(new ColumnMappingEntry(1, null, "Name"), new ColumnMappingEntry(2, null, "Email"), new ColumnMappingEntry(null, "Balance", "Balance"));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"1\": 5}")]
    [InlineData("{not json")]
    public void Parse_InvalidJson_ThrowsValidationError(string json)
    {
        var act = () => ColumnMapping.Parse(json);

        act.Should().Throw<ImportValidationException>().Which.Problems.Single().Message.Should().StartWith("Mapping:");
    }

    [Fact]
    public void Validate_Problems_CarryTheRequestFieldAndAStableCode()
    {
        using var input = new MemoryStream();
        var request = new ImportRequest { Entity = "Nope", FileType = "pdf", File = input, Locale = "xx-YY-bad", TimezoneOffset = 5000 };

        var act = () => Engine.Validate(request);

        act.Should().Throw<ImportValidationException>().Which.Problems.Select(p => (p.Field, p.Code)).Should().BeEquivalentTo(new[]
        {
            ("entity", ImportProblemCodes.UnknownEntity),
            ("type", ImportProblemCodes.UnsupportedFileType),
            ("locale", ImportProblemCodes.InvalidOption),
            ("timezoneOffset", ImportProblemCodes.InvalidOption),
        });
    }

    [Fact]
    public void Validate_MappingProblems_AreOfTheMappingField()
    {
        using var input = new MemoryStream();

        var act = () => Engine.Validate(Request(input, new ColumnMapping().Map(1, "Balance")));

        act.Should().Throw<ImportValidationException>().Which.Problems
            .Should().OnlyContain(p => p.Field == "mapping" && p.Code == ImportProblemCodes.InvalidMapping && p.Row == null);
    }

    [Fact]
    public void Validate_LetterAsDelimiter_IsARequestProblemNotAReaderError()
    {
        using var input = new MemoryStream();
        var request = new ImportRequest { Entity = "Customer", FileType = "csv", File = input, Delimiter = 'x' };

        var act = () => Engine.Validate(request);

        act.Should().Throw<ImportValidationException>().Which.Problems.Should().ContainSingle()
            .Which.Should().Match<ImportProblem>(p => p.Field == "delimiter" && p.Message.Contains("letter or a digit"));
    }
}
