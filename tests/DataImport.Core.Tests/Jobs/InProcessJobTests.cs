using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Jobs;

public sealed class InProcessJobTests
{
    /// <summary>Records reports on the calling thread, in order (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class RecordingProgress : IProgress<ImportJobDto>
    {
        public List<ImportJobDto> Reports { get; } = [];

        public void Report(ImportJobDto value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    /// <summary>A sink that blocks each write until released, so a test controls where the job is.</summary>
    private sealed class GatedSink : ImportSink<Customer>
    {
        public SemaphoreSlim Written { get; } = new(0);

        public SemaphoreSlim Release { get; } = new(0);

        public int Rows { get; private set; }

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlySet<ImportKey>>(new HashSet<ImportKey>());

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
        {
            Rows += batch.Count;
            Written.Release();
            await Release.WaitAsync(cancellationToken);
        }
    }

    private static string Rows(int count) =>
        "Name,Email\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"N{i},n{i}@x.com\n"));

    [Fact]
    public async Task Progress_WithRealClock_IsMonotonicAndTheFinalReportIsExact()
    {
        var (job, _, _) = (await RunWithProgress(Rows(5000), batchSize: 100, TimeSpan.Zero));
        var reports = job.Reports;

        reports.Select(r => r.ProcessedItems).Should().BeInAscendingOrder();
        reports.Select(r => r.Progress).Should().BeInAscendingOrder();
        reports.Last().Should().Match<ImportJobDto>(r => r.Status == ImportJobStatus.Completed && r.Progress == 100 && r.ProcessedItems == 5000 && r.TotalItems == 5000);
        reports.Should().Contain(r => r.Status == ImportJobStatus.InProgress && r.TotalItems == 5000 && r.ProcessedItems > 0 && r.ProcessedItems < 5000);
    }

    [Fact]
    public async Task Progress_WithFrozenClock_IsThrottledToStartAndEnd()
    {
        var (progress, _, final) = await RunWithProgress(Rows(5000), batchSize: 100, TimeSpan.FromMinutes(1), new FakeTimeProvider());

        // 50 batches ran, but with the clock frozen inside the interval only the forced reports are sent.
        progress.Reports.Count.Should().BeLessThan(5);
        progress.Reports.Last().Should().Be(final);
        final.ProcessedItems.Should().Be(5000);
    }

    private static async Task<(RecordingProgress Reports, InMemoryImportSink<Customer> Sink, ImportJobDto Final)> RunWithProgress(string csv, int batchSize, TimeSpan interval, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddDataImport(o => o.ProgressInterval = interval).AddEntity<Customer>(e => e.Key(c => c.Email));
        var engine = services.BuildServiceProvider().GetRequiredService<ImportEngine>();
        // An in-memory stream is counted before the import starts (a file on disk is counted alongside it, see
        // RowCountTests), so the total is known in every report after the start.
        await using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
        var progress = new RecordingProgress();
        var sink = new InMemoryImportSink<Customer>();
        var final = await engine.RunAsync(TestEngine.Csv(input, batchSize: batchSize), sink, progress);
        return (progress, sink, final);
    }

    [Fact]
    public async Task Start_ThenCancelMidJob_EndsCancelledKeepingCommittedRows()
    {
        using var file = new TempFile(Rows(1000));
        await using var input = file.Open();
        var sink = new GatedSink();

        var job = TestEngine.Customers().Start(TestEngine.Csv(input, batchSize: 10), sink);
        (await sink.Written.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        sink.Release.Release();
        (await sink.Written.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue();
        job.Cancel();
        var final = await job.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        final.Status.Should().Be(ImportJobStatus.Cancelled);
        final.CreatedCount.Should().Be(10, "the first batch was committed before the cancel; the second was cut off");
        final.CompletedDate.Should().NotBeNull();
        final.Message.Should().Contain("cancelled");
    }

    [Fact]
    public async Task Start_ReturnsAtOnceWithJobIdAndCompletes()
    {
        using var file = new TempFile(Rows(3));
        await using var input = file.Open();

        var job = TestEngine.Customers().Start(TestEngine.Csv(input), new InMemoryImportSink<Customer>());
        var final = await job.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Guid.TryParse(job.Id, out _).Should().BeTrue();
        final.Id.Should().Be(job.Id);
        final.Code.Should().Be(job.Id);
        final.Type.Should().Be("IMPORT");
        final.Entity.Should().Be("Customer");
        final.FileName.Should().Be("customers.csv");
        final.Status.Should().Be(ImportJobStatus.Completed);
        (final.ImportedCount, final.FailedCount).Should().Be((3, 0));
        final.Output.Should().Be(new ImportJobOutput { ImportedCount = 3, FailedCount = 0, CreatedCount = 3, UpdatedCount = 0, SkippedCount = 0, ErrorCount = 0, TotalItems = 3, DryRun = false });
        final.Payload!.Entity.Should().Be("Customer");
        final.JobStart.Should().NotBeNull().And.Be(final.StartedDate);
        final.JobEnd.Should().Be(final.CompletedDate);
        // A short run reads "0.2 seconds", or "1 second" on a slow machine's first run: both are a duration in seconds.
        final.Duration.Should().MatchRegex(@"^\d+(\.\d)? seconds?$");
        job.Current.Status.Should().Be(ImportJobStatus.Completed);
    }

    [Fact]
    public async Task RunAsync_WithRegisteredSinkFactory_UsesItPerJobWithTheDomain()
    {
        var sinks = new List<(string? Domain, InMemoryImportSink<ImportRecord> Sink)>();
        var engine = TestEngine.Create(b => b.AddEntitiesFromJson(TestEngine.CustomerSchemaJson).AddSink<ImportRecord>((_, context) =>
        {
            var sink = new InMemoryImportSink<ImportRecord>();
            sinks.Add((context.Domain, sink));
            return sink;
        }));
        using var input = new MemoryStream("Name,Email\nA,a@x.com\n"u8.ToArray());
        var request = new ImportRequest { Entity = "customer", FileType = "CSV", File = input, Domain = "acme" };

        var job = await engine.RunAsync(request);

        job.CreatedCount.Should().Be(1);
        job.Domain.Should().Be("acme");
        sinks.Should().ContainSingle().Which.Domain.Should().Be("acme");
        sinks[0].Sink.Records.Should().ContainSingle();
    }

    [Fact]
    public async Task RunAsync_NoSinkRegistered_SaysHowToRegisterOne()
    {
        using var input = new MemoryStream("Name,Email\nA,a@x.com\n"u8.ToArray());

        var act = () => TestEngine.Dynamic().RunAsync(TestEngine.Csv(input));

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Be("No sink is registered for entity 'Customer'; register one with AddSink.");
    }

    [Fact]
    public async Task RunAsync_ErrorBudgetSpent_FailsKeepingWhatWasImported()
    {
        using var file = new TempFile("Name,Email,Balance\nA,a@x.com,x\nB,b@x.com,x\nC,c@x.com,1\nD,d@x.com,x\nE,e@x.com,1\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<Customer>();
        var request = TestEngine.Csv(input, batchSize: 2);
        request = new ImportRequest { Entity = "Customer", FileType = "csv", File = input, BatchSize = 2, ErrorBudget = 2 };

        var job = await TestEngine.Customers().RunAsync(request, sink);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("Stopped after 3 rows with errors, over the error budget of 2");
        sink.Records.Select(c => c.Name).Should().Equal("C");
    }
}
