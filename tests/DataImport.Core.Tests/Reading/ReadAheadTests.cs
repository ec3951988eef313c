using System.Globalization;
using System.Text;
using DataImport.Reading;

namespace DataImport.Tests.Reading;

/// <summary>
/// The CSV read-ahead (parsing on a second thread): every outcome equals a one-thread run, errors surface at their
/// row after the rows before them, and a run that stops early leaves no thread or file handle behind.
/// </summary>
public sealed class ReadAheadTests
{
    /// <summary>Rows over many chunks: quoted commas, doubled quotes, line breaks in quotes, ragged, blank and bad rows, long fields.</summary>
    private static string MixedFile(int rows)
    {
        var text = new StringBuilder("Name,Email,Balance,Born,Tier\r\n");
        for (var i = 0; i < rows; i++)
        {
            switch (i % 97)
            {
                case 5:
                    text.Append("\r\n");
                    break;
                case 11:
                    // A short row (trailing fields dropped) that still fails: its quoted comma must survive in the not-imported file.
                    text.Append(CultureInfo.InvariantCulture, $"\"Doe, J{i}\",j{i}@x.com,bad\r\n");
                    break;
                case 23:
                    text.Append(CultureInfo.InvariantCulture, $"\"Say \"\"hi\"\" {i}\",s{i}@x.com,not a number,2024-01-02,Gold\r\n");
                    break;
                case 41:
                    text.Append(CultureInfo.InvariantCulture, $"\"Two\nlines {i}\",t{i}@x.com,1.5,,silver\r\n");
                    break;
                case 59:
                    text.Append(CultureInfo.InvariantCulture, $"{new string('x', 40_000)},long{i}@x.com,1,,\r\n");
                    break;
                case 73:
                    text.Append(CultureInfo.InvariantCulture, $" N{i} ,,2,,\r\n");
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"N{i},n{i}@x.com,{i}.25,2023-12-{1 + (i % 28):00},{(i % 2 == 0 ? "Gold" : "")}\r\n");
                    break;
            }
        }

        return text.ToString();
    }

    private static async Task<(ImportJobDto Job, List<string> Records, byte[] NotImported)> ImportAsync(string csv, bool readAhead, int batchSize = 100, int? errorBudget = null)
    {
        using var file = new TempFile(csv);
        await using var input = file.Open();
        using var output = new MemoryStream();
        var sink = new InMemoryImportSink<Customer>();
        var engine = TestEngine.Customers(o => (o.ReadAhead, o.ReadAheadMinBytes, o.MaxDegreeOfParallelism) = (readAhead, 0, 1));
        var request = TestEngine.Csv(input, batchSize: batchSize, notImported: output);
        request = new ImportRequest
        {
            Entity = request.Entity, FileType = request.FileType, File = input, FileName = request.FileName, BatchSize = batchSize,
            NotImportedOutput = output, ErrorBudget = errorBudget,
        };
        var job = await engine.RunAsync(request, sink);
        var records = sink.Records.Select(c => $"{c.Name}|{c.Email}|{c.Balance}|{c.Born}|{c.Tier}").ToList();
        return (job, records, output.ToArray());
    }

    [Fact]
    public async Task ReadAhead_ManyChunksOfMixedRows_SameOutcomesRecordsAndNotImportedBytesAsOneThread()
    {
        var csv = MixedFile(6000);

        var threaded = await ImportAsync(csv, readAhead: true);
        var single = await ImportAsync(csv, readAhead: false);

        threaded.Job.Status.Should().Be(ImportJobStatus.Completed);
        threaded.Job.CreatedCount.Should().BeGreaterThan(5000);
        threaded.Job.ErrorCount.Should().BeGreaterThan(0);
        threaded.Records.Should().Equal(single.Records);
        threaded.NotImported.Should().Equal(single.NotImported);
        (threaded.Job.CreatedCount, threaded.Job.SkippedCount, threaded.Job.ErrorCount, threaded.Job.TotalItems)
            .Should().Be((single.Job.CreatedCount, single.Job.SkippedCount, single.Job.ErrorCount, single.Job.TotalItems));
        threaded.Job.Errors.Should().Equal(single.Job.Errors);
        threaded.Records.Should().Contain("Two\nlines 41|t41@x.com|1.5||Silver");
        Encoding.UTF8.GetString(threaded.NotImported).Should().Contain("\"Doe, J11\",j11@x.com").And.Contain("\"Say \"\"hi\"\" 23\"");
    }

    [Fact]
    public async Task ReadAhead_MalformedRowDeepInTheFile_FailsNamingTheRowAfterImportingTheRowsBefore()
    {
        var rows = string.Concat(Enumerable.Range(0, 3000).Select(i => $"N{i},n{i}@x.com\n"));
        var csv = "Name,Email\n" + rows + "\"Bad\"x,bad@x.com\n" + "After,after@x.com\n";

        var threaded = await ImportAsync(csv, readAhead: true, batchSize: 1000);
        var single = await ImportAsync(csv, readAhead: false, batchSize: 1000);

        threaded.Job.Status.Should().Be(ImportJobStatus.Failed);
        threaded.Job.Message.Should().StartWith("Row 3002: the CSV is malformed");
        threaded.Records.Should().HaveCount(3000).And.Equal(single.Records);
        threaded.Job.Message.Should().Be(single.Job.Message);
    }

    [Fact]
    public async Task ReadAhead_RunStoppedEarlyByTheErrorBudget_EndsAndReleasesTheFile()
    {
        var rows = string.Concat(Enumerable.Range(0, 200_000).Select(i => $"N{i},n{i}@x.com,x\n"));
        using var file = new TempFile("Name,Email,Balance\n" + rows);
        await using (var input = file.Open())
        {
            var request = new ImportRequest { Entity = "Customer", FileType = "csv", File = input, BatchSize = 10, ErrorBudget = 5 };
            var job = await TestEngine.Customers(o => (o.ReadAheadMinBytes, o.MaxDegreeOfParallelism) = (0, 1)).RunAsync(request, new InMemoryImportSink<Customer>()).WaitAsync(TimeSpan.FromSeconds(60));
            job.Status.Should().Be(ImportJobStatus.Failed);
            job.Message.Should().StartWith("Stopped after 10 rows with errors");
        }

        await using var exclusive = new FileStream(file.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        exclusive.Length.Should().BeGreaterThan(0);
    }

    /// <summary>A row source that yields numbered rows and throws a given exception at one row.</summary>
    private sealed class ScriptedSource(int rows, int throwAt, Exception? error) : RowSource
    {
        private int _row;

        public int ReadCalls { get; private set; }

        public bool Disposed { get; private set; }

        public override int FieldCount => 2;

        public override int RowFieldCount => _row % 3 == 0 ? 1 : 2;

        public override int RowNumber => _row + 1;

        public override string GetHeader(int ordinal) => ordinal == 0 ? "A" : "B";

        public override bool Read()
        {
            ReadCalls++;
            if (_row + 1 == throwAt && error is not null)
            {
                throw error;
            }

            return ++_row <= rows;
        }

        public override CellKind GetKind(int ordinal) => CellKind.Text;

        public override ReadOnlySpan<char> GetText(int ordinal) => $"{_row}:{ordinal}";

        public override void Dispose() => Disposed = true;
    }

    [Fact]
    public void RowSource_ErrorFromTheReader_IsThrownAtItsRowAfterEveryRowBeforeIt()
    {
        var error = new InvalidDataException("Row 1001: broken");
        var inner = new ScriptedSource(rows: 5000, throwAt: 1001, error);
        using var source = new ReadAheadRowSource(inner);

        source.FieldCount.Should().Be(2);
        source.GetHeader(1).Should().Be("B");
        for (var i = 1; i <= 1000; i++)
        {
            source.Read().Should().BeTrue();
            source.RowNumber.Should().Be(i + 1);
            source.RowFieldCount.Should().Be(i % 3 == 0 ? 1 : 2);
            source.GetText(0).ToString().Should().Be($"{i}:0");
            source.GetText(1).ToString().Should().Be(i % 3 == 0 ? "" : $"{i}:1");
        }

        source.Invoking(s => s.Read()).Should().Throw<InvalidDataException>().Which.Should().BeSameAs(error);
        source.Read().Should().BeFalse("the source ended with the error");
    }

    [Fact]
    public void RowSource_DisposedLongBeforeTheEnd_StopsReadingAndDisposesTheReader()
    {
        var inner = new ScriptedSource(rows: 1_000_000, throwAt: 0, error: null);
        var source = new ReadAheadRowSource(inner);
        source.Read().Should().BeTrue();

        source.Dispose();

        inner.Disposed.Should().BeTrue();
        inner.ReadCalls.Should().BeLessThanOrEqualTo((ReadAheadRowSource.ChunksInFlight + 3) * ReadAheadRowSource.RowsPerChunk, "the reader runs a bounded number of chunks ahead");
    }
}
