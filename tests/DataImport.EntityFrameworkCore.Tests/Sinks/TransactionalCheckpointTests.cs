using System.Data.Common;
using System.Text;
using DataImport.Sqlite;
using DataImport.Tests;
using DataImport.Tests.Jobs;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.EntityFrameworkCore.Tests.Sinks;

/// <summary>
/// <see cref="EntityFrameworkSinkOptions.CheckpointInTransaction"/> with the job store in the context's own SQLite file:
/// the rows and the job's checkpoint commit together, so a host that lost its job while paused cannot commit its batch.
/// </summary>
public sealed class TransactionalCheckpointTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = JobTestHost.NewFolder();

    public TransactionalCheckpointTests() => Directory.CreateDirectory(_folder);

    private string Database => $"Data Source={Path.Combine(_folder, "app.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        JobTestHost.DeleteFolder(_folder);
    }

    [Fact]
    public async Task Worker_HostPausedBeforeItsWriteLosesTheJob_ItsBatchIsRolledBackAndNoRowIsWrittenTwice()
    {
        // The job store's tables and the application's in one file.
        await new SqliteImportJobStore(Database).GetAsync("none", default);
        await using (var context = NewContext())
        {
            await context.Database.ExecuteSqlRawAsync(context.Database.GenerateCreateScript());
        }

        // The first host writes batches 1 and 2, then pauses as it starts batch 3; its lease runs out meanwhile.
        var paused = new GatedContextFactory(this, pauseAt: 3);
        var first = Host("host-1", T0, paused);
        var queued = await first.Jobs.StartAsync(Request());
        await first.StartWorkerAsync();
        await paused.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // The second host takes the job over from the checkpoint of batch 2 and finishes it.
        await using (var second = Host("host-2", T0.AddMinutes(2), new GatedContextFactory(this, pauseAt: 0)))
        {
            await second.StartWorkerAsync();
            var job = await second.WaitFinishedAsync("acme", queued.Id);
            (job.Status, job.CreatedCount, job.ErrorCount).Should().Be((ImportJobStatus.Completed, 30, 0), job.Message);
        }

        // The first host wakes and writes batch 3: saving the checkpoint in its transaction fails, and the rows roll back.
        paused.Release();
        await paused.Finished.WaitAsync(TimeSpan.FromSeconds(60));
        await first.DisposeAsync();

        await using var check = NewContext();
        var pages = await check.Set<Visit>().Select(v => v.Page).ToListAsync();
        pages.Should().HaveCount(30).And.OnlyHaveUniqueItems();
        paused.Commits.Should().Be(2, "the first host committed batches 1 and 2 only");
    }

    private static ImportRequest Request()
    {
        var csv = new StringBuilder("Page,Seconds\n");
        for (var i = 1; i <= 30; i++)
        {
            csv.Append("/page/").Append(i).Append(',').Append(i).Append('\n');
        }

        return new ImportRequest
        {
            Entity = "Visit",
            FileType = "csv",
            File = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())),
            FileName = "visits.csv",
            Mode = ImportMode.CreateOnly,
            Domain = "acme",
            BatchSize = 10,
        };
    }

    private JobTestHost Host(string worker, DateTimeOffset now, GatedContextFactory contexts) => new(
        new FakeTimeProvider(now),
        Path.Combine(_folder, "files"),
        new CountingSink(),
        o =>
        {
            o.WorkerId = worker;
            o.LeaseDuration = TimeSpan.FromMinutes(1);
        },
        b =>
        {
            b.Services.AddSingleton<IDbContextFactory<ShopContext>>(contexts);
            b.AddEntity<Visit>(e => e.Ignore(v => v.Id))
                .AddEntityFrameworkSink<ShopContext, Visit>(o => o.CheckpointInTransaction = true)
                .UseJobStore(_ => new SqliteImportJobStore(Database));
        });

    private ShopContext NewContext(params IInterceptor[] interceptors) =>
        new(new DbContextOptionsBuilder<ShopContext>().UseSqlite(Database).AddInterceptors(interceptors).Options);

    /// <summary>Contexts on the shared file; the one for write number <c>pauseAt</c> waits until released. Counts committed transactions.</summary>
    private sealed class GatedContextFactory(TransactionalCheckpointTests test, int pauseAt) : DbTransactionInterceptor, IDbContextFactory<ShopContext>
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _created;
        private int _commits;

        public Task Reached => _reached.Task;

        /// <summary>Gets a task that completes when the paused write has ended, committed or rolled back (its connection closed).</summary>
        public Task Finished => _finished.Task;

        public int Commits => Volatile.Read(ref _commits);

        public void Release() => _released.TrySetResult();

        public ShopContext CreateDbContext() => test.NewContext(this);

        public async Task<ShopContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            // A keyless entity has no lookups: each batch opens one context, to write.
            if (Interlocked.Increment(ref _created) != pauseAt)
            {
                return test.NewContext(this);
            }

            _reached.TrySetResult();
            await _released.Task;
            var context = test.NewContext(this);
            context.Database.GetDbConnection().StateChange += (_, e) =>
            {
                if (e.OriginalState == System.Data.ConnectionState.Open && e.CurrentState == System.Data.ConnectionState.Closed)
                {
                    _finished.TrySetResult();
                }
            };
            return context;
        }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _commits);
            return Task.CompletedTask;
        }
    }
}
