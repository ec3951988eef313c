namespace DataImport.Tests.Conversion;

public sealed class ConversionTests
{
    private static async Task<(ImportJobDto Job, ImportRecord? Record)> ImportOne(string header, string row, string? locale = null, int offset = 0, string? schemaJson = null)
    {
        var engine = TestEngine.Create(b => b.AddEntitiesFromJson(schemaJson ?? TestEngine.CustomerSchemaJson));
        using var file = new TempFile(header + "\n" + row + "\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();
        var job = await engine.RunAsync(TestEngine.Csv(input, locale: locale, offset: offset), sink);
        return (job, sink.Records.SingleOrDefault());
    }

    [Theory]
    [InlineData("de-DE", "\"1.234,56\"", "1234.56")]
    [InlineData("de-DE", "1234,5", "1234.5")]
    [InlineData("en-US", "\"1,234.56\"", "1234.56")]
    [InlineData("fr-FR", "\"1 234,56\"", "1234.56")]
    [InlineData(null, "-12.5", "-12.5")]
    [InlineData(null, "1E3", "1000")]
    [InlineData("en-US", "$12.50", "12.50")]
    [InlineData("en-US", "\"$1,234.50\"", "1234.50")]
    [InlineData("en-US", "(12.50)", "-12.50")]
    [InlineData("de-CH", "1'234.50", "1234.50")]
    [InlineData("de-DE", "1.234.567,8", "1234567.8")]
    public async Task Convert_DecimalInLocale_ParsesTheLocalesNumbers(string? locale, string text, string expected)
    {
        var (job, record) = await ImportOne("Name;Email;Balance", $"A;a@x.com;{text}", locale);

        job.ErrorCount.Should().Be(0, string.Join(" ", job.Errors.Select(e => e.Message)));
        record!["Balance"].Should().Be(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Convert_NumberWithWrongGroupingForLocale_IsAnErrorNotASilentlyWrongValue()
    {
        var (job, record) = await ImportOne("Name;Email;Balance", "A;a@x.com;1234.5", "de-DE");

        record.Should().BeNull();
        job.Errors.Single().Should().Match<ImportRowError>(e =>
            e.Row == 2 && e.Column == 3 && e.Property == "Balance" && e.Outcome == RowOutcome.Error
            && e.Message.Contains("'1234.5' is not a number") && e.Message.Contains("de-DE"));
    }

    [Theory]
    [InlineData("en-US", "03/04/2024", 2024, 3, 4)]
    [InlineData("de-DE", "04.03.2024", 2024, 3, 4)]
    [InlineData("fr-FR", "04/03/2024", 2024, 3, 4)]
    [InlineData("de-DE", "2024-03-04", 2024, 3, 4)]
    [InlineData(null, "2024-03-04", 2024, 3, 4)]
    public async Task Convert_DateInLocale_IsNotShifted(string? locale, string text, int y, int m, int d)
    {
        var (job, record) = await ImportOne("Name,Email,Born", $"A,a@x.com,{text}", locale, offset: 600);

        job.ErrorCount.Should().Be(0, string.Join(" ", job.Errors.Select(e => e.Message)));
        record!["Born"].Should().Be(new DateOnly(y, m, d));
    }

    [Fact]
    public async Task Convert_DateTimeWithoutOffset_IsLocalAtRequestOffsetStoredAsUtc()
    {
        var (_, record) = await ImportOne("Name,Email,Joined", "A,a@x.com,2024-03-04 10:30", offset: 60);

        var joined = (DateTimeOffset)record!["Joined"]!;
        joined.Offset.Should().Be(TimeSpan.Zero);
        joined.UtcDateTime.Should().Be(new DateTime(2024, 3, 4, 9, 30, 0, DateTimeKind.Utc));
    }

    [Fact]
    public async Task Convert_DateTimeWithExplicitOffset_KeepsIt()
    {
        var (_, record) = await ImportOne("Name,Email,Joined", "A,a@x.com,2024-03-04T10:30:00+05:00", offset: 60);

        record!["Joined"].Should().Be(new DateTimeOffset(2024, 3, 4, 10, 30, 0, TimeSpan.FromHours(5)));
    }

    [Fact]
    public async Task Convert_DateTimeWithZulu_IsUtc()
    {
        var (_, record) = await ImportOne("Name,Email,Joined", "A,a@x.com,2024-03-04T10:30:00Z", offset: 60);

        record!["Joined"].Should().Be(new DateTimeOffset(2024, 3, 4, 10, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task Convert_NegativeOffsetLikeABrowserWest_ShiftsForward()
    {
        // UTC-05:00 is -300 minutes east (a browser's getTimezoneOffset() says +300; negate it).
        var (_, record) = await ImportOne("Name,Email,Joined", "A,a@x.com,2024-03-04 22:00", offset: -300);

        ((DateTimeOffset)record!["Joined"]!).UtcDateTime.Should().Be(new DateTime(2024, 3, 5, 3, 0, 0));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("y", true)]
    [InlineData("1", true)]
    [InlineData("False", false)]
    [InlineData("no", false)]
    [InlineData("N", false)]
    [InlineData("0", false)]
    public async Task Convert_Booleans_AcceptEveryDocumentedSpelling(string text, bool expected)
    {
        var (_, record) = await ImportOne("Name,Email,Active", $"A,a@x.com,{text}");

        record!["Active"].Should().Be(expected);
    }

    [Fact]
    public async Task Convert_EnumInAnyCase_StoredInSchemaSpelling()
    {
        var (_, record) = await ImportOne("Name,Email,Tier", "A,a@x.com,gOLD");

        record!["Tier"].Should().Be("Gold");
    }

    [Fact]
    public async Task Convert_EveryFailingField_IsReportedNotJustTheFirst()
    {
        var (job, _) = await ImportOne("Name,Email,Balance,Born,Active,Tier", "A,a@x.com,abc,31.31.2020,maybe,Bronze");

        job.ErrorCount.Should().Be(1);
        job.Errors.Select(e => (e.Row, e.Column, e.Property)).Should().Equal(
            (2, 3, "Balance"), (2, 4, "Born"), (2, 5, "Active"), (2, 6, "Tier"));
        job.Errors[3].Message.Should().Be("'Bronze' is not one of the allowed values: Gold, Silver");
    }

    [Fact]
    public async Task Convert_TooLong_IsAnErrorWithTheLimit()
    {
        var (job, _) = await ImportOne("Name,Email", new string('x', 101) + ",a@x.com");

        job.Errors.Single().Message.Should().EndWith("is 101 characters long; the maximum is 100");
    }

    [Fact]
    public async Task Convert_RequiredMissing_SkipsWithReason()
    {
        var (job, _) = await ImportOne("Name,Email", ",a@x.com");

        job.SkippedCount.Should().Be(1);
        job.Errors.Single().Should().Be(new ImportRowError { Row = 2, Column = 1, Property = "Name", Code = ImportProblemCodes.ValueRequired, Message = "a value is required", Outcome = RowOutcome.Skipped });
    }

    [Fact]
    public async Task Convert_RequiredMissingAndBadValue_IsAnErrorListingBoth()
    {
        var (job, _) = await ImportOne("Name,Email,Balance", ",a@x.com,zz");

        job.ErrorCount.Should().Be(1);
        job.SkippedCount.Should().Be(0);
        job.Errors.Select(e => e.Property).Should().Equal("Name", "Balance");
    }

    [Fact]
    public async Task Convert_AllPropertyTypes_RoundTripThroughPoco()
    {
        var engine = TestEngine.Create(b => b.AddEntity<AllTypes>());
        using var file = new TempFile("S,I,L,D,F,B,Day,At,T,G,E\nhi,42,9000000000,1.25,2.5,yes,2024-02-29,2024-02-29T12:00:00Z,13:45,3f2504e0-4f89-11d3-9a0c-0305e82c3301,silver\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<AllTypes>();

        var job = await engine.RunAsync(TestEngine.Csv(input, entity: "AllTypes"), sink);

        job.CreatedCount.Should().Be(1, string.Join(" ", job.Errors.Select(e => e.Message)));
        sink.Records.Single().Should().BeEquivalentTo(new AllTypes
        {
            S = "hi", I = 42, L = 9_000_000_000, D = 1.25m, F = 2.5, B = true, Day = new DateOnly(2024, 2, 29),
            At = new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc), T = new TimeOnly(13, 45), G = Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), E = Tier.Silver,
        });
    }

    [Fact]
    public async Task Convert_CellsTheShortcutsDecline_ReadByTheFullParsers()
    {
        // The CSV loop tries a plain shortcut per typed column first; padded values, an integral decimal for a whole
        // number and an int out of range must still get the full parsers' values and messages.
        var engine = TestEngine.Create(b => b.AddEntity<AllTypes>());
        using var file = new TempFile(
            "S,I,L,D,Day\n" +
            "\" hi \",\" 42 \",12.0,\" -1.25 \",\" 2024-02-29 \"\n" +
            "x,3000000000,9000000000,1E3,2024-02-30\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<AllTypes>();

        var job = await engine.RunAsync(TestEngine.Csv(input, entity: "AllTypes"), sink);

        job.CreatedCount.Should().Be(1, string.Join(" ", job.Errors.Select(e => e.Message)));
        sink.Records.Single().Should().BeEquivalentTo(new AllTypes { S = "hi", I = 42, L = 12, D = -1.25m, Day = new DateOnly(2024, 2, 29) });
        job.Errors.Select(e => (e.Row, e.Property, e.Message)).Should().Equal(
            (3, "I", "'3000000000' is not a whole number between -2147483648 and 2147483647"),
            (3, "Day", "'2024-02-30' is not a date (expected e.g. 2024-03-31 or 03/31/2024)"));
    }

    public sealed class AllTypes
    {
        public string? S { get; set; }

        public int I { get; set; }

        public long L { get; set; }

        public decimal D { get; set; }

        public double F { get; set; }

        public bool B { get; set; }

        public DateOnly Day { get; set; }

        public DateTime At { get; set; }

        public TimeOnly T { get; set; }

        public Guid G { get; set; }

        public Tier E { get; set; }
    }
}
