using System.Text;

namespace DataImport.Tests.Csv;

public sealed class BadInputTests
{
    private static async Task<(ImportJobDto Job, InMemoryImportSink<Customer> Sink)> Import(byte[] content, ColumnMapping? mapping = null, int? batchSize = null)
    {
        using var file = new TempFile(content);
        await using var input = file.Open();
        var sink = new InMemoryImportSink<Customer>();
        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input, mapping: mapping, batchSize: batchSize), sink);
        return (job, sink);
    }

    private static Task<(ImportJobDto Job, InMemoryImportSink<Customer> Sink)> Import(string text, ColumnMapping? mapping = null, int? batchSize = null) =>
        Import(Encoding.UTF8.GetBytes(text), mapping, batchSize);

    [Fact]
    public async Task Import_EmptyFile_FailsSayingItIsEmpty()
    {
        var (job, _) = await Import([]);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("The file is empty: it has no header row and no data rows.");
    }

    [Fact]
    public async Task Import_HeaderOnly_CompletesWithNoRows()
    {
        var (job, sink) = await Import("Name,Email\r\n");

        job.Status.Should().Be(ImportJobStatus.Completed);
        job.TotalItems.Should().Be(0);
        job.ProcessedItems.Should().Be(0);
        sink.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task Import_UnterminatedQuote_KeepsEarlierRowsAndFailsNamingTheRow()
    {
        var (job, sink) = await Import("Name,Email\nAda,a@x.com\n\"Bob,b@x.com\nCy,c@x.com\n", batchSize: 1000);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Row 3: a quoted field is not closed; the file ends inside quotes. Add the missing closing quote (\").");
        job.CreatedCount.Should().Be(1);
        sink.Records.Single().Name.Should().Be("Ada");
    }

    [Fact]
    public async Task Import_TextAfterClosingQuote_FailsNamingTheRow()
    {
        var (job, sink) = await Import("Name,Email\nAda,a@x.com\n\"Bo\"b,b@x.com\n");

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("Row 3: the CSV is malformed");
        sink.Records.Should().ContainSingle();
    }

    [Fact]
    public async Task Import_RaggedRows_ShortRowReadsMissingCellsAsEmptyLongRowIgnoresExtras()
    {
        var (job, sink) = await Import("Name,Email,Balance\nAda\nBob,b@x.com,1,extra,more\nCy,c@x.com\n");

        job.Status.Should().Be(ImportJobStatus.Completed);
        job.SkippedCount.Should().Be(1);
        job.Errors.Select(e => (e.Row, e.Column, e.Property, e.Message)).Should().Equal(
            (2, 2, "Email", "a value is required"));
        sink.Records.Select(c => (c.Name, c.Balance)).Should().Equal(("Bob", 1m), ("Cy", (decimal?)null));
    }

    [Fact]
    public async Task Import_ShortRowReimportedFromNotImportedFile_GivesTheSameOutcome()
    {
        // An exporter that drops trailing empty fields: the short row and its padded not-imported line read the same.
        var (first, _, notImported) = await TestEngine.ImportCustomersAsync("Name,Email,Balance\nAda\n");
        var (second, _, again) = await TestEngine.ImportCustomersAsync(notImported);

        first.Errors.Select(e => (e.Outcome, e.Message)).Should().Equal((RowOutcome.Skipped, "a value is required"));
        second.Errors.Select(e => (e.Outcome, e.Message)).Should().Equal(first.Errors.Select(e => (e.Outcome, e.Message)));
        notImported.Should().Be("Name,Email,Balance,Row,Reason\r\nAda,,,2,Email (column 2): a value is required\r\n");
        again.Should().Be(notImported);
    }

    [Fact]
    public async Task Import_InvalidUtf8_FailsSuggestingTheEncoding()
    {
        var bytes = Encoding.UTF8.GetBytes("Name,Email\nAda,a@x.com\n").Concat(new byte[] { 0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65, 0x2C, 0x6A, 0x40, 0x78, 0x0A }).ToArray();

        var (job, _) = await Import(bytes);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Contain("not valid UTF-8").And.Contain("windows-1252");
    }

    /// <summary>A header and <paramref name="rows"/> data rows (spreadsheet rows 2 …), one Windows-1252 byte in the Email of <paramref name="badRow"/>.</summary>
    private static byte[] CustomersWithBadByte(int rows, int badRow)
    {
        using var bytes = new MemoryStream();
        bytes.Write("Name,Email\r\n"u8);
        for (var row = 2; row <= rows + 1; row++)
        {
            bytes.Write(Encoding.UTF8.GetBytes($"N{row},"));
            if (row == badRow)
            {
                bytes.Write([0x4A, 0xE9, 0x72]); // "Jér" in Windows-1252
            }

            bytes.Write(Encoding.UTF8.GetBytes($"n{row}@x.com\r\n"));
        }

        return bytes.ToArray();
    }

    private static async Task<(ImportJobDto Job, InMemoryImportSink<Customer> Sink)> ImportWithReadAhead(byte[] content, bool readAhead, int workers = 1)
    {
        using var file = new TempFile(content);
        await using var input = file.Open();
        var sink = new InMemoryImportSink<Customer>();
        var engine = TestEngine.Customers(o => (o.ReadAhead, o.ReadAheadMinBytes, o.MaxDegreeOfParallelism) = (readAhead, readAhead ? 0 : long.MaxValue, workers));
        var job = await engine.RunAsync(TestEngine.Csv(input), sink);
        return (job, sink);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    public async Task Import_InvalidUtf8InRow15000Of20000_NamesThatRowAndColumnAndImportsEveryRowBefore(bool readAhead, int workers)
    {
        var (job, sink) = await ImportWithReadAhead(CustomersWithBadByte(20_000, badRow: 15_000), readAhead, workers);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Row 15000, column 2: the file is not valid UTF-8 text. Save it as UTF-8, or give its encoding (e.g. windows-1252).");
        job.CreatedCount.Should().Be(14_998);
        sink.Records.Select(c => c.Name).Should().EndWith("N14999");
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    public async Task Import_InvalidUtf8InRow3_NamesRow3AndImportsRow2(bool readAhead, int workers)
    {
        var (job, sink) = await ImportWithReadAhead(CustomersWithBadByte(5, badRow: 3), readAhead, workers);

        job.Message.Should().StartWith("Row 3, column 2: the file is not valid UTF-8 text.");
        sink.Records.Select(c => c.Name).Should().Equal("N2");
    }

    [Fact]
    public async Task Import_InvalidUtf8InHeader_NamesRow1AndTheColumn()
    {
        var (job, sink) = await Import([.. "Name,"u8, 0xC9, .. "mail\nAda,a@x.com\n"u8]);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("Row 1, column 2: the file is not valid UTF-8 text.");
        sink.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task Import_InvalidUtf8AfterByteOrderMark_FailsInsteadOfReplacingTheByte()
    {
        var (job, sink) = await Import([0xEF, 0xBB, 0xBF, .. "Name,Email\nAda,a@x.com\nJ"u8, 0xE9, .. "r,j@x.com\n"u8]);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("Row 3, column 1: the file is not valid UTF-8 text.");
        sink.Records.Single().Name.Should().Be("Ada");
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    public async Task Import_FiveMegabyteFieldInRow2_NamesRow2NotRow1(bool readAhead, int workers)
    {
        var (job, sink) = await ImportWithReadAhead(Encoding.UTF8.GetBytes("Name,Email\n" + new string('x', 5 * 1024 * 1024) + ",b@x.com\nCy,c@x.com\n"), readAhead, workers);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("Row 2 is longer than the limit of 1,048,576 characters");
        sink.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task Import_TenMegabyteField_FailsWithTheLimitInsteadOfExhaustingMemory()
    {
        var (job, sink) = await Import("Name,Email\nAda,a@x.com\n" + new string('x', 10 * 1024 * 1024) + ",b@x.com\nCy,c@x.com\n");

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("Row 3 is longer than the limit of 1,048,576 characters");
        sink.Records.Should().ContainSingle();
    }

    [Fact]
    public async Task Import_BinaryBytesNamedCsv_FailsSayingItIsNotText()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        bytes[10] = 0;

        var (job, _) = await Import(bytes);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("The file is not CSV text: it contains binary data. Check that the file and its type are right.");
    }

    [Fact]
    public async Task Import_XlsxBytesNamedCsv_SuggestsTheXlsxType()
    {
        var (job, _) = await Import(new Xlsx.TestXlsx().Sheet("S", Xlsx.X.Row(1, Xlsx.X.Inline("A1", "Name"))).Build());

        job.Message.Should().Contain("Import it with type 'xlsx'");
    }

    [Fact]
    public async Task Import_MappingToColumnTheFileLacks_FailsBeforeAnyRowIsWritten()
    {
        var (job, sink) = await Import("Name,Email\nAda,a@x.com\n", TestEngine.Map("Name", "Email").Map(5, "Balance"));

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Mapping: column 5 → 'Balance', but the file has only 2 columns.");
        sink.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task Import_TextAfterClosingQuote_FailureCarriesRowColumnAndCode()
    {
        var (job, _) = await Import("Name,Email\nAda,a@x.com\nBob,\"b@\"x.com\n");

        job.Failure.Should().NotBeNull();
        job.Failure!.Code.Should().Be(ImportProblemCodes.InvalidFile);
        (job.Failure.Row, job.Failure.Column).Should().Be((3, 2));
        job.Failure.Message.Should().Be(job.Message);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 4)]
    public async Task Import_InvalidUtf8_FailureCarriesTheRowAndColumnOfTheBadByte(bool readAhead, int workers)
    {
        var (job, _) = await ImportWithReadAhead(CustomersWithBadByte(5, badRow: 3), readAhead, workers);

        (job.Failure?.Code, job.Failure?.Row, job.Failure?.Column).Should().Be((ImportProblemCodes.InvalidFile, 3, 2));
    }

    [Fact]
    public async Task Import_Completed_HasNoFailure()
    {
        var (job, _) = await Import("Name,Email\nAda,a@x.com\n");

        job.Status.Should().Be(ImportJobStatus.Completed);
        job.Failure.Should().BeNull();
    }
}
