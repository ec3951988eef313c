using System.Text;
using static DataImport.Tests.Xlsx.X;

namespace DataImport.Tests.Xlsx;

public sealed class XlsxImportTests
{
    // Styles: xf 0 General, xf 1 date (id 14), xf 2 date-time (id 22).
    private static TestXlsx Workbook(params string[] rows) =>
        new TestXlsx().Styles([0, 14, 22]).Sheet("Customers", rows);

    private static async Task<(ImportJobDto Job, InMemoryImportSink<ImportRecord> Sink, string NotImported)> Import(
        TestXlsx workbook, string? locale = null, int offset = 0, ColumnMapping? mapping = null, string? sheet = null, ImportMode mode = ImportMode.CreateOnly, InMemoryImportSink<ImportRecord>? sink = null)
    {
        using var file = new TempFile(workbook.Build(), ".xlsx");
        await using var input = file.Open();
        using var output = new MemoryStream();
        sink ??= new InMemoryImportSink<ImportRecord>();
        var request = new ImportRequest
        {
            Entity = "Customer", FileType = "xlsx", File = input, FileName = "customers.xlsx", Mapping = mapping ?? ColumnMapping.ByHeaderName,
            Locale = locale, TimezoneOffset = offset, Sheet = sheet, Mode = mode, NotImportedOutput = output,
        };
        var job = await TestEngine.Dynamic().RunAsync(request, sink);
        return (job, sink, Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF'));
    }

    [Fact]
    public async Task Import_XlsxWithTypedCells_ConvertsNumbersCultureFreeAndDatesAtOffset()
    {
        var workbook = Workbook(
            Row(1, Inline("A1", "Name"), Inline("B1", "Email"), Inline("C1", "Balance"), Inline("D1", "Born"), Inline("E1", "Joined"), Inline("F1", "Active")),
            Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com"), N("C2", "1234.5"), N("D2", "45352", 1), N("E2", "45352.5", 2), B("F2", true)));

        var (job, sink, _) = await Import(workbook, locale: "de-DE", offset: 120);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        job.CreatedCount.Should().Be(1, string.Join(" ", job.Errors.Select(e => e.Message)));
        var record = sink.Records.Single();
        record["Balance"].Should().Be(1234.5m);
        record["Born"].Should().Be(new DateOnly(2024, 3, 1));
        record["Joined"].Should().Be(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero));
        record["Active"].Should().Be(true);
    }

    [Fact]
    public async Task Import_XlsxTextCells_AreParsedWithTheLocale()
    {
        var workbook = Workbook(
            Row(1, Inline("A1", "Name"), Inline("B1", "Email"), Inline("C1", "Balance")),
            Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com"), Inline("C2", "1.234,5")));

        var (_, sink, _) = await Import(workbook, locale: "de-DE");

        sink.Records.Single()["Balance"].Should().Be(1234.5m);
    }

    [Fact]
    public async Task Import_XlsxErrorCellMapped_IsARowErrorNamingTheError()
    {
        var workbook = Workbook(
            Row(1, Inline("A1", "Name"), Inline("B1", "Email"), Inline("C1", "Balance")),
            Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com"), E("C2", "#N/A")));

        var (job, _, _) = await Import(workbook);

        job.Errors.Single().Should().Be(new ImportRowError { Row = 2, Column = 3, Property = "Balance", Code = ImportProblemCodes.SpreadsheetError, Message = "the cell holds the spreadsheet error #N/A", Outcome = RowOutcome.Error });
    }

    [Fact]
    public async Task Import_XlsxSparseRows_ReportsSpreadsheetRowNumbers()
    {
        var workbook = Workbook(
            Row(1, Inline("A1", "Name"), Inline("B1", "Email")),
            Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com")),
            Row(7, Inline("B7", "nobody@x.com")));

        var (job, _, notImported) = await Import(workbook);

        job.TotalItems.Should().Be(2);
        job.Errors.Single().Row.Should().Be(7);
        notImported.Should().Be("Name,Email,Row,Reason\r\n,nobody@x.com,7,Name (column 1): a value is required\r\n");
    }

    [Fact]
    public async Task Import_XlsxNotImportedFile_WritesTypedCellsSoTheyParseBackUnderTheSameSettings()
    {
        var workbook = Workbook(
            Row(1, Inline("A1", "Name"), Inline("B1", "Email"), Inline("C1", "Balance"), Inline("D1", "Born"), Inline("E1", "Joined"), Inline("F1", "Tier")),
            Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com"), N("C2", "1234.5"), N("D2", "45352", 1), N("E2", "45352.75", 2), Inline("F2", "Bronze")));

        var (job, _, notImported) = await Import(workbook, locale: "de-DE", offset: 60);
        job.ErrorCount.Should().Be(1);
        notImported.Should().Be("Name,Email,Balance,Born,Joined,Tier,Row,Reason\r\nAda,ada@x.com,\"1234,5\",2024-03-01,2024-03-01T18:00:00,Bronze,2,\"Tier (column 6): 'Bronze' is not one of the allowed values: Gold, Silver\"\r\n");

        // Fix the value and import the not-imported CSV with the same mapping and settings: the row lands with the same values.
        var fixedCsv = notImported.Replace("Bronze", "Gold", StringComparison.Ordinal);
        using var file = new TempFile(fixedCsv);
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();
        var rerun = await TestEngine.Dynamic().RunAsync(TestEngine.Csv(input, locale: "de-DE", offset: 60), sink);

        rerun.CreatedCount.Should().Be(1, string.Join(" ", rerun.Errors.Select(e => e.Message)));
        var record = sink.Records.Single();
        record["Balance"].Should().Be(1234.5m);
        record["Born"].Should().Be(new DateOnly(2024, 3, 1));
        record["Joined"].Should().Be(new DateTimeOffset(2024, 3, 1, 17, 0, 0, TimeSpan.Zero));
        record["Tier"].Should().Be("Gold");
    }

    [Fact]
    public async Task Import_XlsxSecondSheetByName_ReadsThatSheet()
    {
        var workbook = new TestXlsx()
            .Sheet("Other", Row(1, Inline("A1", "x")))
            .Sheet("Customers", Row(1, Inline("A1", "Name"), Inline("B1", "Email")), Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com")));

        var (job, sink, _) = await Import(workbook, sheet: "customers");

        job.CreatedCount.Should().Be(1, job.Message);
        sink.Records.Single()["Name"].Should().Be("Ada");
    }

    [Fact]
    public async Task Import_XlsxUnknownSheet_FailsTheJobNamingTheSheets()
    {
        var workbook = new TestXlsx().Sheet("Customers", Row(1, Inline("A1", "Name")));

        var (job, _, _) = await Import(workbook, sheet: "Nope");

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Contain("Nope").And.Contain("Customers");
    }

    [Fact]
    public async Task Import_NotAZipNamedXlsx_FailsWithClearMessage()
    {
        using var file = new TempFile("Name,Email\nAda,a@x.com\n", ".xlsx");
        await using var input = file.Open();
        var request = new ImportRequest { Entity = "Customer", FileType = "xlsx", File = input };

        var job = await TestEngine.Dynamic().RunAsync(request, new InMemoryImportSink<ImportRecord>());

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Contain("not a valid XLSX workbook");
    }

    [Fact]
    public async Task Import_HeaderlessSheetUnderOneCellTitleRow_LaterColumnsReachableAndMissingCellsEmpty()
    {
        // No dimension: the title row is the first non-blank row, one cell wide; the table below it has three columns.
        var workbook = Workbook(
            Row(1, Inline("A1", "Customer list")),
            Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com"), N("C2", "12.5")),
            Row(3, Inline("A3", "Bob"), Inline("B3", "bob@x.com")),
            Row(4, Inline("A4", "Cy"), Inline("B4", "cy@x.com"), N("C4", "3")));
        using var file = new TempFile(workbook.Build(), ".xlsx");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();
        var request = new ImportRequest
        {
            Entity = "Customer", FileType = "xlsx", File = input, FileName = "customers.xlsx", HasHeaderRow = false,
            Mapping = ColumnMapping.Parse("""{"1":"Name","2":"Email","3":"Balance"}"""),
        };

        var job = await TestEngine.Dynamic().RunAsync(request, sink);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal((1, "a value is required"));
        sink.Records.Select(r => (r["Name"], r.GetValueOrDefault("Balance"))).Should().Equal(("Ada", 12.5m), ("Bob", null), ("Cy", 3m));
    }

    [Fact]
    public async Task Import_HeaderNarrowerThanTheData_ColumnMappedByNumberBeyondItIsReachable()
    {
        // No dimension, a header row of two names, a third column of data with no header: mapped by number, it is read.
        var workbook = Workbook(
            Row(1, Inline("A1", "Name"), Inline("B1", "Email")),
            Row(2, Inline("A2", "Ada"), Inline("B2", "ada@x.com")),
            Row(3, Inline("A3", "Bob"), Inline("B3", "bob@x.com"), N("C3", "7")));

        var (job, sink, _) = await Import(workbook, mapping: ColumnMapping.Parse("""{"1":"Name","2":"Email","3":"Balance"}"""));

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        sink.Records.Select(r => (r["Name"], r.GetValueOrDefault("Balance"))).Should().Equal(("Ada", null), ("Bob", 7m));
    }

    [Fact]
    public async Task Import_ElapsedTimeCell_TextGetsTheShownLengthNumberTheDaysTimeTheTimeOfDay()
    {
        // Built-in format 46 is [h]:mm:ss: 1.5 days shows as 36:00:00, a length, not a date.
        const string Schema = """
            {"entities": [{"name": "Shift", "properties": [
              {"name": "Shown", "type": "string"}, {"name": "Days", "type": "decimal"}, {"name": "Ends", "type": "time"}, {"name": "On", "type": "date"}]}]}
            """;
        var workbook = new TestXlsx().Styles([0, 46]).Sheet("Shifts",
            Row(1, Inline("A1", "Shown"), Inline("B1", "Days"), Inline("C1", "Ends"), Inline("D1", "On")),
            Row(2, N("A2", "1.5", 1), N("B2", "1.5", 1), N("C2", "1.5", 1)),
            Row(3, N("D3", "1.5", 1)));
        using var file = new TempFile(workbook.Build(), ".xlsx");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();

        var job = await TestEngine.Create(b => b.AddEntitiesFromJson(Schema)).RunAsync(
            new ImportRequest { Entity = "Shift", FileType = "xlsx", File = input }, sink);

        var record = sink.Records.Single();
        (record["Shown"], record["Days"], record["Ends"]).Should().Be(("36:00:00", 1.5m, new TimeOnly(12, 0)));
        job.Errors.Select(e => (e.Row, e.Property, e.Message)).Should().Equal((3, "On", "36:00:00 is a length of time; expected a date"));
    }
}

public sealed class XlsxRealProducerImportTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Xlsx", "Fixtures", name);

    [Fact]
    public async Task Import_LibreOfficeWorkbookOfACsv_GivesTheSameRecordsAndOutcomesAsTheCsv()
    {
        var engine = TestEngine.Dynamic();
        var results = new List<(ImportJobDto Job, List<ImportRecord> Records)>();
        foreach (var (file, type) in new[] { ("libreoffice-customers.source.csv", "csv"), ("libreoffice-customers.xlsx", "xlsx") })
        {
            await using var input = File.OpenRead(Fixture(file));
            var sink = new InMemoryImportSink<ImportRecord>();
            var job = await engine.RunAsync(new ImportRequest { Entity = "Customer", FileType = type, File = input, Mode = ImportMode.CreateAndUpdate }, sink);
            results.Add((job, [.. sink.Records]));
        }

        var (csv, xlsx) = (results[0], results[1]);
        xlsx.Job.Status.Should().Be(ImportJobStatus.Completed, xlsx.Job.Message);
        (xlsx.Job.CreatedCount, xlsx.Job.UpdatedCount, xlsx.Job.SkippedCount, xlsx.Job.TotalItems)
            .Should().Be((csv.Job.CreatedCount, csv.Job.UpdatedCount, csv.Job.SkippedCount, csv.Job.TotalItems));
        xlsx.Job.Errors.Select(e => (e.Row, e.Property)).Should().Equal(csv.Job.Errors.Select(e => (e.Row, e.Property)));
        xlsx.Records.Should().BeEquivalentTo(csv.Records, o => o.WithStrictOrdering());
    }
}
