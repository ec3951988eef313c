using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Pipeline;

/// <summary>
/// The next batch is read and converted while the sink writes the previous one (a database sink waits on its server
/// then): the overlap is real, and whatever the fill meets, the write before it decides how the run ends, as when
/// nothing overlapped.
/// </summary>
public sealed class OverlappedCommitTests
{
    private static string Rows(int from, int count) => string.Concat(Enumerable.Range(from, count).Select(i => $"N{i},n{i}@x.com,{i}\n"));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Import_SinkWaitsOnItsFirstBatch_TheSecondBatchIsConvertedMeanwhile(int workers)
    {
        // The sink holds its first write until the validator has seen the last row of the second batch: that can only
        // happen if the engine converts the next batch while a write is under way (batches larger than the rows the
        // workers convert ahead). A generous bound turns a missing overlap into a failure instead of a hung test.
        var secondBatchConverted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engine = TestEngine.Create(
            b => b.AddEntity<Customer>(e => e.Key(c => c.Email).Validate(c =>
            {
                if (c.Name == "N9999")
                {
                    secondBatchConverted.TrySetResult();
                }

                return [];
            })),
            o => o.MaxDegreeOfParallelism = workers);
        var sink = new HoldingSink(secondBatchConverted.Task);
        using var file = new TempFile("Name,Email,Balance\n" + Rows(0, 15_000));
        await using var input = file.Open();

        var job = await engine.RunAsync(TestEngine.Csv(input, batchSize: 5000), sink);

        sink.FirstWriteSawTheNextBatch.Should().BeTrue("the second batch is read and converted while the first one is written");
        (job.Status, job.CreatedCount).Should().Be((ImportJobStatus.Completed, 15_000));
        sink.Records.Select(c => c.Name).Should().Equal(Enumerable.Range(0, 15_000).Select(i => $"N{i}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Import_ErrorBudgetSpentWhileTheNextBatchMeetsAMalformedRow_StopsOnTheBudgetAsWithoutOverlap(int workers)
    {
        // Batch 1 (rows 2-11) spends the budget; batch 2 holds a malformed row. The budget ends the run before batch 2
        // would be written, so nothing of it is, and the message is the budget's, not the malformed row's.
        var bad = string.Concat(Enumerable.Range(0, 6).Select(i => $"B{i},b{i}@x.com,x\n"));
        var csv = "Name,Email,Balance\n" + bad + Rows(0, 4) + Rows(4, 3) + "\"Bad\"x,bad@x.com,1\n" + Rows(7, 5);
        var sink = new YieldingSink();
        using var file = new TempFile(csv);
        await using var input = file.Open();
        var request = new ImportRequest { Entity = "Customer", FileType = "csv", File = input, BatchSize = 10, ErrorBudget = 5 };

        var job = await TestEngine.Customers(o => o.MaxDegreeOfParallelism = workers).RunAsync(request, sink);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("Stopped after 6 rows with errors, over the error budget of 5; rows up to row 11 were processed and those without errors were imported.");
        sink.Records.Select(c => c.Name).Should().Equal("N0", "N1", "N2", "N3");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Import_MalformedRowWhileTheBatchBeforeIsWritten_WritesThatBatchThenTheRowsBeforeTheBadSpot(int workers)
    {
        var csv = "Name,Email,Balance\n" + Rows(0, 10) + Rows(10, 4) + "\"Bad\"x,bad@x.com,1\n" + Rows(14, 5);
        var sink = new YieldingSink();
        using var file = new TempFile(csv);
        await using var input = file.Open();

        var job = await TestEngine.Customers(o => o.MaxDegreeOfParallelism = workers).RunAsync(TestEngine.Csv(input, batchSize: 10), sink);

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().StartWith("Row 16: the CSV is malformed");
        job.CreatedCount.Should().Be(14);
        sink.Records.Select(c => c.Name).Should().Equal(Enumerable.Range(0, 14).Select(i => $"N{i}"));
        sink.Batches.Should().Equal(10, 4);
    }

    /// <summary>A sink whose writes complete later on another thread, as a database's do (an in-memory sink completes at once).</summary>
    private class YieldingSink : ImportSink<Customer>
    {
        private readonly InMemoryImportSink<Customer> _inner = new();

        public IReadOnlyList<Customer> Records => _inner.Records;

        public List<int> Batches { get; } = [];

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            _inner.FindExistingAsync(keys, cancellationToken);

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
        {
            await Task.Yield();
            await BeforeWriteAsync();
            Batches.Add(batch.Count);
            await _inner.WriteAsync(batch, cancellationToken);
        }

        protected virtual Task BeforeWriteAsync() => Task.CompletedTask;
    }

    /// <summary>Holds its first write until <paramref name="signal"/> completes (or a minute passes) and tells which came first.</summary>
    private sealed class HoldingSink(Task signal) : YieldingSink
    {
        private bool _first = true;

        public bool FirstWriteSawTheNextBatch { get; private set; }

        protected override async Task BeforeWriteAsync()
        {
            if (!_first)
            {
                return;
            }

            _first = false;
            FirstWriteSawTheNextBatch = await Task.WhenAny(signal, Task.Delay(TimeSpan.FromMinutes(1))) == signal;
        }
    }

    [Fact]
    public async Task CountGate_WhileTheSinkWrites_IsOpen_AndClosesOnceTheWriteEnds()
    {
        // With every core converting, the progress count reads only through this gate: the run opens it while it waits
        // for its sink (a database working), when a core is idle.
        var gate = new DataImport.Reading.IdleGate();
        var count = new DataImport.Reading.RunCountGate(gate, new FakeTimeProvider());
        var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = count.AwaitCommitAsync(write.Task);

        waiting.IsCompleted.Should().BeFalse();
        gate.WaitAsync(CancellationToken.None).IsCompleted.Should().BeTrue("the run waits for the sink, so the count may read");
        write.SetResult();
        await waiting;
        gate.WaitAsync(CancellationToken.None).IsCompleted.Should().BeFalse("the run converts again, so the count waits");

        await count.AwaitCommitAsync(Task.CompletedTask);
        gate.WaitAsync(CancellationToken.None).IsCompleted.Should().BeFalse("a write already done leaves no core idle");
    }

    [Fact]
    public async Task CountGate_RunLastingASecond_OpensForGood()
    {
        // A run still going after a second needs its total for its progress, also when its sink works on the importing
        // thread and the run never waits on it.
        var time = new FakeTimeProvider();
        var gate = new DataImport.Reading.IdleGate();
        var count = new DataImport.Reading.RunCountGate(gate, time);

        time.Advance(DataImport.Reading.RunCountGate.OpenAfter - TimeSpan.FromMilliseconds(1));
        count.OpenIfLong();
        gate.WaitAsync(CancellationToken.None).IsCompleted.Should().BeFalse("a short run does not pay for the count");

        time.Advance(TimeSpan.FromMilliseconds(1));
        count.OpenIfLong();
        gate.WaitAsync(CancellationToken.None).IsCompleted.Should().BeTrue();

        var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = count.AwaitCommitAsync(write.Task);
        write.SetResult();
        await waiting;
        gate.WaitAsync(CancellationToken.None).IsCompleted.Should().BeTrue("open for good: a finished write does not close it");
    }
}
