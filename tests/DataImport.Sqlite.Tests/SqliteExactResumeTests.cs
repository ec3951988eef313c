using System.Text;
using DataImport.Tests;
using DataImport.Tests.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Sqlite.Tests;

/// <summary>
/// A host stops (hangs for good, as a dead process) at each point of a batch's commit; another host resumes the job on
/// the same SQLite store. Counters, records and the not-imported file must equal a clean run's, in every mode.
/// </summary>
public sealed class SqliteExactResumeTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public SqliteExactResumeTests() => Directory.CreateDirectory(_folder);

    public enum StopPoint
    {
        BeforeTheWrite,
        AfterTheWriteCommitted,
        DuringThePendingSave,
        DuringTheFlush,
        DuringTheCheckpointSave,
    }

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "jobs.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // 50 rows: some keys already in the sink, a key repeated later in the file, some rows that fail to convert.
    private static string Csv()
    {
        var csv = new StringBuilder("Name,Email,Balance\n");
        for (var i = 1; i <= 50; i++)
        {
            var email = i == 27 ? "c21@x.com" : $"c{i}@x.com";
            csv.Append("Name").Append(i).Append(',').Append(email).Append(',').Append(i % 9 == 0 ? "oops" : "1.5").Append('\n');
        }

        return csv.ToString();
    }

    private static CountingSink SeededSink()
    {
        var sink = new CountingSink();
        foreach (var i in new[] { 5, 24, 33 })
        {
            sink.Records[$"c{i}@x.com"] = new Customer { Name = "Old" + i, Email = $"c{i}@x.com", Balance = 9m };
        }

        return sink;
    }

    private static ImportRequest Request(ImportMode mode, Stream? notImported = null) => new()
    {
        Entity = "Customer",
        FileType = "csv",
        File = new MemoryStream(Encoding.UTF8.GetBytes(Csv())),
        FileName = "customers.csv",
        Mapping = TestEngine.Map("Name", "Email", "Balance"),
        Mode = mode,
        Domain = "acme",
        BatchSize = 10,
        NotImportedOutput = notImported,
    };

    [Theory]
    [InlineData(StopPoint.BeforeTheWrite, ImportMode.CreateOnly)]
    [InlineData(StopPoint.AfterTheWriteCommitted, ImportMode.CreateOnly)]
    [InlineData(StopPoint.AfterTheWriteCommitted, ImportMode.CreateAndUpdate)]
    [InlineData(StopPoint.AfterTheWriteCommitted, ImportMode.UpdateOnly)]
    [InlineData(StopPoint.DuringThePendingSave, ImportMode.CreateOnly)]
    [InlineData(StopPoint.DuringTheFlush, ImportMode.CreateOnly)]
    [InlineData(StopPoint.DuringTheFlush, ImportMode.CreateAndUpdate)]
    [InlineData(StopPoint.DuringTheCheckpointSave, ImportMode.CreateOnly)]
    [InlineData(StopPoint.DuringTheCheckpointSave, ImportMode.CreateAndUpdate)]
    public async Task Worker_HostStopsInBatch3_ResumedJobEqualsACleanRun(StopPoint stop, ImportMode mode)
    {
        // A clean run of the same file into the same starting records.
        var cleanSink = SeededSink();
        using var cleanOutput = new MemoryStream();
        var clean = await TestEngine.Customers().RunAsync(Request(mode, cleanOutput), cleanSink);

        var sink = SeededSink();
        var gate = new StopGate();
        var hanging = new HangingPoints(sink, stop, gate);
        var first = Host("host-1", T0, sink, hanging);
        var queued = await first.Jobs.StartAsync(Request(mode));
        await first.StartWorkerAsync();
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        await using var second = Host("host-2", T0.AddMinutes(2), sink, null);
        await second.StartWorkerAsync();
        var job = await second.WaitFinishedAsync("acme", queued.Id);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        (job.CreatedCount, job.UpdatedCount, job.SkippedCount, job.ErrorCount, job.TotalItems).Should()
            .Be((clean.CreatedCount, clean.UpdatedCount, clean.SkippedCount, clean.ErrorCount, clean.TotalItems));
        job.Errors.Select(e => (e.Row, e.Code, e.Message)).Should().Equal(clean.Errors.Select(e => (e.Row, e.Code, e.Message)));
        sink.Records.OrderBy(r => r.Key).Select(r => (r.Key, r.Value.Name, r.Value.Balance))
            .Should().Equal(cleanSink.Records.OrderBy(r => r.Key).Select(r => (r.Key, r.Value.Name, r.Value.Balance)));
        await using (var file = (await second.Jobs.OpenNotImportedAsync("acme", queued.Id))!)
        {
            using var bytes = new MemoryStream();
            await file.CopyToAsync(bytes);
            Encoding.UTF8.GetString(bytes.ToArray()).Should().Be(Encoding.UTF8.GetString(cleanOutput.ToArray()));
        }

        // The stopped host wakes up: it no longer holds the job, so nothing it does changes it.
        gate.Release();
        await first.DisposeAsync();
        (await second.Jobs.GetAsync("acme", queued.Id))!.CreatedCount.Should().Be(clean.CreatedCount);
    }

    private JobTestHost Host(string worker, DateTimeOffset now, CountingSink sink, HangingPoints? hanging) => new(
        new FakeTimeProvider(now),
        Path.Combine(_folder, "files"),
        sink,
        o =>
        {
            o.WorkerId = worker;
            o.LeaseDuration = TimeSpan.FromMinutes(1);
            o.HeartbeatInterval = TimeSpan.FromSeconds(10);
        },
        b =>
        {
            b.UseJobStore(_ => hanging is null ? new SqliteImportJobStore(ConnectionString) : new HangingJobStore(new SqliteImportJobStore(ConnectionString), hanging));
            if (hanging is not null)
            {
                var files = Path.Combine(_folder, "files");
                b.UseFileStore(_ => new HangingFileStore(LocalFiles(files), hanging));
            }
        });

    // The library's local file store (internal), as AddBackgroundJobs registers it for a folder.
    private static ImportFileStore LocalFiles(string path) =>
        new ServiceCollection().AddDataImport().AddBackgroundJobs(o =>
        {
            o.FilesPath = path;
            o.DownloadLinkKey = JobTestHost.LinkKey;
        }).Services.BuildServiceProvider().GetRequiredService<ImportFileStore>();

    /// <summary>Where the stopped host hangs: reached once, then held until the test releases it.</summary>
    public sealed class StopGate
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public async Task HoldAsync()
        {
            _reached.TrySetResult();
            await _released.Task;
        }

        public void Release() => _released.TrySetResult();
    }

    /// <summary>Decides where in batch 3 the host stops.</summary>
    public sealed class HangingPoints
    {
        private readonly CountingSink _sink;
        private readonly StopPoint _stop;
        private int _stopped;

        public HangingPoints(CountingSink sink, StopPoint stop, StopGate gate)
        {
            _sink = sink;
            _stop = stop;
            Gate = gate;
            if (stop == StopPoint.BeforeTheWrite)
            {
                sink.BeforeBatch = (n, _) => n == 3 ? Once() : Task.CompletedTask;
            }
            else if (stop == StopPoint.AfterTheWriteCommitted)
            {
                sink.AfterBatch = (n, _) => n == 3 ? Once() : Task.CompletedTask;
            }
        }

        public StopGate Gate { get; }

        // Two batches are written and checkpointed; batch 3 is the one being decided and written.
        public Task OnSave(ImportJobCheckpoint? checkpoint) => _stop switch
        {
            StopPoint.DuringThePendingSave when checkpoint is { PendingDecisions.Count: > 0 } && _sink.Batches == 2 => Once(),
            StopPoint.DuringTheCheckpointSave when checkpoint is { PendingDecisions.Count: 0, LastRow: > 0 } && _sink.Batches == 3 => Once(),
            _ => Task.CompletedTask,
        };

        public Task OnFlush() => _stop == StopPoint.DuringTheFlush && _sink.Batches == 3 ? Once() : Task.CompletedTask;

        private Task Once() => Interlocked.Exchange(ref _stopped, 1) == 0 ? Gate.HoldAsync() : Task.CompletedTask;
    }

    private sealed class HangingJobStore(ImportJobStore inner, HangingPoints points) : ImportJobStore
    {
        public override ValueTask CreateAsync(StoredImportJob job, CancellationToken cancellationToken) => inner.CreateAsync(job, cancellationToken);

        public override ValueTask<StoredImportJob?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

        public override ValueTask<IReadOnlyList<StoredImportJob>> ListAsync(string? domain, int skip, int take, CancellationToken cancellationToken) => inner.ListAsync(domain, skip, take, cancellationToken);

        public override ValueTask<StoredImportJob?> ClaimNextAsync(string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken) => inner.ClaimNextAsync(workerId, now, leaseExpires, cancellationToken);

        public override ValueTask<ImportJobLeaseState> HeartbeatAsync(string id, string workerId, DateTimeOffset now, DateTimeOffset leaseExpires, CancellationToken cancellationToken) => inner.HeartbeatAsync(id, workerId, now, leaseExpires, cancellationToken);

        public override async ValueTask<ImportJobLeaseState> SaveProgressAsync(string id, string workerId, ImportJobDto job, ImportJobCheckpoint? checkpoint, DateTimeOffset leaseExpires, CancellationToken cancellationToken)
        {
            await points.OnSave(checkpoint);
            return await inner.SaveProgressAsync(id, workerId, job, checkpoint, leaseExpires, cancellationToken);
        }

        public override ValueTask<bool> TryTransitionAsync(string id, ImportJobStatus expected, ImportJobDto job, string? workerId, CancellationToken cancellationToken) => inner.TryTransitionAsync(id, expected, job, workerId, cancellationToken);

        public override ValueTask<bool> ReleaseAsync(string id, string workerId, CancellationToken cancellationToken) => inner.ReleaseAsync(id, workerId, cancellationToken);

        public override ValueTask<bool> RequestCancellationAsync(string id, CancellationToken cancellationToken) => inner.RequestCancellationAsync(id, cancellationToken);

        public override ValueTask<IReadOnlyList<StoredImportJob>> DeleteFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken) => inner.DeleteFinishedAsync(completedBefore, cancellationToken);
    }

    private sealed class HangingFileStore(ImportFileStore inner, HangingPoints points) : ImportFileStore
    {
        public override ValueTask<string> SaveUploadAsync(string jobId, Stream content, long maxBytes, CancellationToken cancellationToken) => inner.SaveUploadAsync(jobId, content, maxBytes, cancellationToken);

        public override ValueTask<Stream?> OpenUploadAsync(string fileId, CancellationToken cancellationToken) => inner.OpenUploadAsync(fileId, cancellationToken);

        public override async ValueTask<Stream> OpenNotImportedForWriteAsync(string jobId, long length, CancellationToken cancellationToken) =>
            new HangingFlushStream(await inner.OpenNotImportedForWriteAsync(jobId, length, cancellationToken), points);

        public override ValueTask<Stream?> OpenNotImportedAsync(string jobId, CancellationToken cancellationToken) => inner.OpenNotImportedAsync(jobId, cancellationToken);

        public override ValueTask DeleteAsync(string jobId, string uploadFileId, CancellationToken cancellationToken) => inner.DeleteAsync(jobId, uploadFileId, cancellationToken);
    }

    /// <summary>Hangs in a flush before any byte of it reaches the file: the rows of the batch are written to the sink, not to the file.</summary>
    private sealed class HangingFlushStream(Stream inner, HangingPoints points) : Stream
    {
        private readonly MemoryStream _pending = new();

        public override bool CanRead => false;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => true;

        public override long Length => inner.Length + _pending.Length;

        public override long Position { get => Length; set => throw new NotSupportedException(); }

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_pending.Length > 0)
            {
                await points.OnFlush();
                _pending.Position = 0;
                await _pending.CopyToAsync(inner, cancellationToken);
                _pending.SetLength(0);
            }

            await inner.FlushAsync(cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _pending.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                _pending.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await _pending.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
