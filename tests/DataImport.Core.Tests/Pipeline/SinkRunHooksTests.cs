namespace DataImport.Tests.Pipeline;

/// <summary>The engine tells a sink when a run starts and when it has ended, however it ends.</summary>
public sealed class SinkRunHooksTests
{
    private const string Good = "Name,Email,Balance\nA,a@x.com,1\nB,b@x.com,2\nC,c@x.com,3\n";

    [Theory]
    [InlineData(Good, ImportJobStatus.Completed)]
    [InlineData("Name,Email,Balance\nA,a@x.com,1\nB,b@x.com,2\n\"Bad\"x,c@x.com,3\n", ImportJobStatus.Failed)]
    public async Task Import_AnyEnding_StartsTheSinksRunFirstAndEndsItAfterTheLastWrite(string csv, ImportJobStatus status)
    {
        var sink = new RecordingSink();
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));

        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input, batchSize: 1), sink);

        job.Status.Should().Be(status);
        sink.Calls.First().Should().Be("starting");
        sink.Calls.Last().Should().Be("ended");
        sink.Calls.Count(c => c == "write").Should().Be(job.CreatedCount);
        sink.Calls.Where(c => c is "starting" or "ended").Should().HaveCount(2);
    }

    [Fact]
    public async Task Import_Cancelled_EndsTheSinksRun()
    {
        using var cancellation = new CancellationTokenSource();
        var sink = new RecordingSink { OnWrite = cancellation.Cancel };
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Good));

        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input, batchSize: 1), sink, cancellationToken: cancellation.Token);

        job.Status.Should().Be(ImportJobStatus.Cancelled);
        sink.Calls.Should().Equal("starting", "write", "ended");
    }

    [Fact]
    public async Task Import_SinkThrowsWhenTheRunEnds_KeepsTheRunsOutcome()
    {
        var sink = new RecordingSink { ThrowAtEnd = true };
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Good));

        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input), sink);

        (job.Status, job.CreatedCount).Should().Be((ImportJobStatus.Completed, 3));
    }

    private sealed class RecordingSink : ImportSink<Customer>
    {
        private readonly InMemoryImportSink<Customer> _inner = new();

        public List<string> Calls { get; } = [];

        public Action? OnWrite { get; init; }

        public bool ThrowAtEnd { get; init; }

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            _inner.FindExistingAsync(keys, cancellationToken);

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Calls.Add("write");
            await _inner.WriteAsync(batch, cancellationToken);
            OnWrite?.Invoke();
        }

        public override ValueTask RunStartingAsync(CancellationToken cancellationToken)
        {
            Calls.Add("starting");
            return ValueTask.CompletedTask;
        }

        public override ValueTask RunEndedAsync()
        {
            Calls.Add("ended");
            return ThrowAtEnd ? ValueTask.FromException(new InvalidOperationException("cleanup failed")) : ValueTask.CompletedTask;
        }
    }
}
