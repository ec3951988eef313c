namespace DataImport.Tests.Pipeline;

public sealed class ImportEngineSmokeTests
{
    [Fact]
    public async Task RunAsync_ValidCsv_CreatesEveryRecord()
    {
        var (job, sink, notImported) = await TestEngine.ImportCustomersAsync(
            "Name,Email,Balance\nAda,ada@x.com,12.50\nBob,bob@x.com,\n");

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        job.CreatedCount.Should().Be(2);
        job.TotalItems.Should().Be(2);
        job.Progress.Should().Be(100);
        sink.Records.Select(c => (c.Name, c.Email, c.Balance)).Should().Equal(("Ada", "ada@x.com", 12.50m), ("Bob", "bob@x.com", (decimal?)null));
        notImported.Should().Be("Name,Email,Balance,Row,Reason\r\n");
    }

    [Fact]
    public async Task RunAsync_SecondRunReusesTheBatch_SameOutcomesAndNoRecordKeptBetweenRuns()
    {
        // One thread: the pooled batch is that path's (rows converted on several threads live in chunks, pooled apart).
        var engine = TestEngine.Customers(o => o.MaxDegreeOfParallelism = 1);
        const string Csv = "Name,Email,Balance\nAda,ada@x.com,x\nBob,bob@x.com,2\nCy,,3\n";
        var outcomes = new List<(int, int, int, int, string)>();
        for (var run = 0; run < 2; run++)
        {
            using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Csv));
            var sink = new InMemoryImportSink<Customer>();
            var job = await engine.RunAsync(TestEngine.Csv(input, batchSize: 2), sink);
            outcomes.Add((job.CreatedCount, job.SkippedCount, job.ErrorCount, sink.Records.Count, string.Join("|", job.Errors.Select(e => $"{e.Row}:{e.Message}"))));
        }

        outcomes[1].Should().Be(outcomes[0]);
        outcomes[0].Should().Be((1, 1, 1, 1, "2:'x' is not a number (expected e.g. 1234.56)|4:a value is required"));

        // The batch kept for the next run holds none of this run's records, keys or problems.
        var spare = engine.Batches.Rent(2);
        spare.Should().OnlyContain(row => row == null || (row.Record == null && row.Key == null && row.Problems.Count == 0));
        spare.Should().Contain(row => row != null, "the batch of the last run is the one reused");
    }
}
