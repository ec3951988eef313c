using System.Text;

namespace DataImport.Tests.Csv;

public sealed class CsvReadingTests
{
    private static async Task<(ImportJobDto Job, List<ImportRecord> Records, string NotImported)> Import(byte[] content, string? encoding = null, char? delimiter = null, bool header = true, ColumnMapping? mapping = null)
    {
        var engine = TestEngine.Create(b => b.AddEntity(new EntitySchemaBuilder("Note").Property("Title", PropertyType.String, required: true).Property("Body", PropertyType.String).Build()));
        using var file = new TempFile(content);
        await using var input = file.Open();
        using var output = new MemoryStream();
        var sink = new InMemoryImportSink<ImportRecord>();
        var request = new ImportRequest
        {
            Entity = "Note", FileType = "csv", File = input, Encoding = encoding, Delimiter = delimiter, HasHeaderRow = header,
            Mapping = mapping ?? ColumnMapping.ByHeaderName, NotImportedOutput = output,
        };
        var job = await engine.RunAsync(request, sink);
        return (job, [.. sink.Records], Encoding.UTF8.GetString(output.ToArray()));
    }

    private static Task<(ImportJobDto Job, List<ImportRecord> Records, string NotImported)> Import(string text, char? delimiter = null, bool header = true, ColumnMapping? mapping = null) =>
        Import(Encoding.UTF8.GetBytes(text), null, delimiter, header, mapping);

    [Fact]
    public async Task Read_Rfc4180Quoting_KeepsCommasQuotesAndNewlines()
    {
        var (job, records, _) = await Import("Title,Body\r\n\"a, b\",\"He said \"\"hi\"\"\"\r\nx,\"line1\r\nline2\"\r\n");

        job.CreatedCount.Should().Be(2);
        records[0]["Title"].Should().Be("a, b");
        records[0]["Body"].Should().Be("He said \"hi\"");
        records[1]["Body"].Should().Be("line1\r\nline2");
    }

    [Fact]
    public async Task Read_RowNumbers_CountBlankLinesAndTreatMultilineRecordsAsOneRow()
    {
        var (job, _, notImported) = await Import("Title,Body\n,\"multi\nline\"\n\n,second\n");

        job.TotalItems.Should().Be(2);
        job.Errors.Select(e => e.Row).Should().Equal(2, 4);
        notImported.Should().EndWith(",\"multi\nline\",2,Title (column 1): a value is required\r\n,second,4,Title (column 1): a value is required\r\n");
    }

    [Fact]
    public async Task Read_BlankRowsAndDelimiterOnlyRows_AreIgnoredAndNotCounted()
    {
        var (job, _, _) = await Import("Title,Body\na,b\n\n,\n   ,  \nc,d\n");

        job.TotalItems.Should().Be(2);
        job.ProcessedItems.Should().Be(2);
        job.CreatedCount.Should().Be(2);
    }

    [Theory]
    [InlineData(";")]
    [InlineData("\t")]
    [InlineData("|")]
    [InlineData(",")]
    public async Task Read_DelimiterNotGiven_IsDetectedAndUsedForTheNotImportedFile(string delimiter)
    {
        var d = delimiter[0];
        var (job, records, notImported) = await Import($"Title{d}Body\n\"a{d} b\"{d}c\n{d}missing\n");

        records.Single()["Body"].Should().Be("c");
        records.Single()["Title"].Should().Be($"a{d} b");
        job.SkippedCount.Should().Be(1);
        notImported.Should().StartWith($"\uFEFFTitle{d}Body{d}Row{d}Reason\r\n");
    }

    [Fact]
    public async Task Read_Utf8WithBom_StripsTheBomFromTheFirstHeader()
    {
        var (job, records, _) = await Import(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("Title,Body\nÄpfel,süß\n")).ToArray());

        job.CreatedCount.Should().Be(1, job.Message);
        records.Single()["Title"].Should().Be("Äpfel");
    }

    [Fact]
    public async Task Read_Utf16WithBom_IsDecoded()
    {
        var (job, records, _) = await Import(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Title;Body\r\nÄpfel;日本\r\n")).ToArray());

        job.CreatedCount.Should().Be(1, job.Message);
        records.Single()["Body"].Should().Be("日本");
    }

    [Fact]
    public async Task Read_DeclaredWindows1252_IsDecoded()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var (job, records, _) = await Import(Encoding.GetEncoding(1252).GetBytes("Title,Body\nJérôme,€5\n"), encoding: "windows-1252");

        job.CreatedCount.Should().Be(1, job.Message);
        records.Single()["Title"].Should().Be("Jérôme");
        records.Single()["Body"].Should().Be("€5");
    }

    [Fact]
    public async Task Read_NoHeaderRow_FirstRowIsDataAndRowsStartAtOne()
    {
        var (job, records, notImported) = await Import("a,b\n,c\n", header: false, mapping: TestEngine.Map("Title", "Body"));

        job.CreatedCount.Should().Be(1);
        records.Single()["Title"].Should().Be("a");
        job.Errors.Single().Row.Should().Be(2);
        notImported.Should().Be("\uFEFF,,Row,Reason\r\n,c,2,Title (column 1): a value is required\r\n");
    }

    [Fact]
    public async Task Read_NotImportedFileOfAHeaderlessSource_ReimportedTwice_DoesNotRepeatRowAndReason()
    {
        // A header-less source's not-imported file starts with blank names then Row and Reason; read without a header
        // row again, that line is not data and the old Row and Reason columns are not repeated: the same rule as with headers.
        var map = TestEngine.Map("Title", "Body");
        var (_, _, first) = await Import("a,b\n,c\n", header: false, mapping: map);
        var (second, records, again) = await Import(first.TrimStart('\uFEFF'), header: false, mapping: map);
        var (_, _, third) = await Import(again.TrimStart('\uFEFF'), header: false, mapping: map);

        second.TotalItems.Should().Be(1, "the header line of the not-imported file is not a data row");
        records.Should().BeEmpty();
        second.Errors.Select(e => (e.Row, e.Message)).Should().Equal((2, "a value is required"));
        again.Should().Be("\uFEFF,,Row,Reason\r\n,c,2,Title (column 1): a value is required\r\n");
        third.Should().Be(again);
    }

    [Fact]
    public async Task Read_HeaderlessFirstRowLikeRowAndReasonWithData_IsData()
    {
        var (job, records, _) = await Import("x,Row,Reason\n", header: false, mapping: TestEngine.Map("Title", "Body"));

        job.CreatedCount.Should().Be(1);
        records.Single()["Body"].Should().Be("Row");
    }

    [Fact]
    public async Task Read_LfAndCrlfMixed_BothEndRows()
    {
        var (job, _, _) = await Import("Title,Body\r\na,b\nc,d\r\ne,f");

        job.CreatedCount.Should().Be(3);
    }

    [Fact]
    public async Task Read_ExcelSepLine_SetsTheDelimiterAndIsNotARow()
    {
        var (job, records, notImported) = await Import("sep=;\r\nTitle;Body\r\na,b;c\r\n;x\r\n");

        records.Single()["Title"].Should().Be("a,b");
        job.Errors.Single().Row.Should().Be(3);
        notImported.Should().StartWith("\uFEFFTitle;Body;Row;Reason\r\n");
    }

    [Fact]
    public async Task Read_OldMacCrOnlyLineEnds_EndRows()
    {
        var (job, records, _) = await Import("Title,Body\ra,b\rc,d\r");

        job.CreatedCount.Should().Be(2, job.Message);
        records[1]["Title"].Should().Be("c");
    }

    [Fact]
    public async Task Read_DuplicateAndPaddedHeaders_MapByHeaderFailsNamingBothColumnsInsteadOfTakingTheFirst()
    {
        var (job, records, _) = await Import(" Title ,Title,Body\nfirst,second,b\n");

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Mapping: header 'Title' is in columns 1 and 2; map it by column number.");
        records.Should().BeEmpty();
    }
}
