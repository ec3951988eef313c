namespace DataImport.Tests.Pipeline;

public sealed class SinkFailureTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(1000)]
    public async Task Import_SinkRejectsSomeRows_IsolatesThemAndLandsTheRest(int batchSize)
    {
        var sink = new InMemoryImportSink<Customer>().AddConstraint(c => c.Balance < 0 ? "CHECK constraint failed: balance >= 0" : null);
        var csv = "Name,Email,Balance\nA,a@x.com,1\nB,b@x.com,-1\nC,c@x.com,3\nD,d@x.com,-4\nE,e@x.com,5\n";

        var (job, _, notImported) = await TestEngine.ImportCustomersAsync(csv, batchSize: batchSize, sink: sink);

        job.CreatedCount.Should().Be(3);
        job.ErrorCount.Should().Be(2);
        sink.Records.Select(c => c.Name).Should().Equal("A", "C", "E");
        job.Errors.Select(e => (e.Row, e.Message)).Should().Equal(
            (3, "not saved: CHECK constraint failed: balance >= 0"),
            (5, "not saved: CHECK constraint failed: balance >= 0"));
        notImported.Should().Contain("B,b@x.com,-1,3,not saved: CHECK constraint failed: balance >= 0\r\n");
    }

    [Fact]
    public async Task Import_SinkFailsForRowThatLaterRowsDependOn_DecidesLaterRowsAsIfOneAtATime()
    {
        // Row 2 creates a@x.com but the sink refuses it; row 3 (same key) must then be a create, not an update.
        var sink = new InMemoryImportSink<Customer>().AddConstraint(c => c.Name == "Bad" ? "refused" : null);
        var csv = "Name,Email,Balance\nBad,a@x.com,1\nGood,a@x.com,2\n";

        var (job, _, _) = await TestEngine.ImportCustomersAsync(csv, ImportMode.CreateAndUpdate, batchSize: 100, sink: sink);

        job.ErrorCount.Should().Be(1);
        job.CreatedCount.Should().Be(1);
        job.UpdatedCount.Should().Be(0);
        sink.Records.Single().Name.Should().Be("Good");
    }

    [Fact]
    public async Task Import_DryRun_CountsWhatWouldHappenAndWritesNothing()
    {
        var sink = new InMemoryImportSink<Customer>();
        sink.Seed(new Customer { Name = "Old", Email = "a@x.com" }, new ImportKey("a@x.com"));
        using var file = new TempFile("Name,Email\nAda,a@x.com\nBob,b@x.com\nBob2,b@x.com\n");
        await using var input = file.Open();
        var request = TestEngine.Csv(input, mode: ImportMode.CreateAndUpdate, batchSize: 1);
        request = new ImportRequest
        {
            Entity = request.Entity, FileType = request.FileType, File = request.File, Mapping = request.Mapping,
            Mode = request.Mode, BatchSize = 1, DryRun = true,
        };

        var job = await TestEngine.Customers().RunAsync(request, sink);

        job.Status.Should().Be(ImportJobStatus.Completed);
        (job.CreatedCount, job.UpdatedCount).Should().Be((1, 2));
        job.Output!.DryRun.Should().BeTrue();
        sink.Records.Should().ContainSingle().Which.Name.Should().Be("Old");
        sink.BatchesWritten.Should().Be(0);
    }

    [Fact]
    public async Task Import_SinkThrowsItsOwnDatabaseError_RowSaysToSeeTheLogNotTheProviderText()
    {
        using var input = new MemoryStream("Name,Email,Balance\nA,a@x.com,1\nB,b@x.com,-1\n"u8.ToArray());

        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input, batchSize: 10), new ProviderErrorSink());

        job.CreatedCount.Should().Be(1);
        var error = job.Errors.Should().ContainSingle().Subject;
        (error.Row, error.Code).Should().Be((3, ImportProblemCodes.NotSaved));
        error.Message.Should().StartWith("not saved; the details are in the server log (job ").And.NotContain("SQLite");
    }

    /// <summary>A sink whose store throws its own error (not a reason for users) for negative balances.</summary>
    private sealed class ProviderErrorSink : ImportSink<Customer>
    {
        private readonly InMemoryImportSink<Customer> _inner = new();

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            _inner.FindExistingAsync(keys, cancellationToken);

        public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken) =>
            batch.Any(w => w.Record.Balance < 0)
                ? throw new InvalidOperationException("SQLite Error 19: 'CHECK constraint failed: balance >= 0'.")
                : _inner.WriteAsync(batch, cancellationToken);
    }
}
