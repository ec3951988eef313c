using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Jobs;

/// <summary>A container with background jobs over a temp folder and a fake clock; the worker starts only when asked.</summary>
public sealed class JobTestHost : IAsyncDisposable
{
    public const string LinkKey = "a test key that is long enough for hmac";
    private bool _started;

    public JobTestHost(FakeTimeProvider time, string filesPath, ImportSink<Customer> sink, Action<ImportJobsOptions>? jobs = null, Action<DataImportBuilder>? configure = null, Action<DataImportOptions>? options = null)
    {
        Time = time;
        FilesPath = filesPath;
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        var builder = services.AddDataImport(options)
            .AddEntity<Customer>(e => e.Key(c => c.Email))
            .AddSink<Customer>((_, context) =>
            {
                SinkDomains.Enqueue(context.Domain);
                return sink;
            })
            .AddBackgroundJobs(o =>
            {
                o.FilesPath = filesPath;
                o.DownloadLinkKey = LinkKey;
                o.MaxConcurrency = 2;
                jobs?.Invoke(o);
            });
        configure?.Invoke(builder);
        Provider = services.BuildServiceProvider();
        Jobs = Provider.GetRequiredService<IImportJobService>();
    }

    public FakeTimeProvider Time { get; }

    public string FilesPath { get; }

    public ServiceProvider Provider { get; }

    public IImportJobService Jobs { get; }

    /// <summary>Gets the domain of every sink created, in order: one per job run.</summary>
    public ConcurrentQueue<string?> SinkDomains { get; } = new();

    /// <summary>Gets the import worker (by name: the projects that link this file cannot see the internal type), among other hosted services such as health checks'.</summary>
    public IHostedService Worker => Provider.GetServices<IHostedService>().Single(s => s.GetType().Name == "ImportJobWorker");

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "dataimport-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Deletes a test's folder, if it was created.</summary>
    public static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public static string CustomersCsv(int rows, int badEvery = 0)
    {
        var csv = new StringBuilder("Name,Email,Balance\n");
        for (var i = 1; i <= rows; i++)
        {
            csv.Append("Name").Append(i).Append(",c").Append(i).Append("@x.com,").Append(badEvery > 0 && i % badEvery == 0 ? "oops" : "1.5").Append('\n');
        }

        return csv.ToString();
    }

    public static ImportRequest Request(string csv, string? domain = "acme", string fileName = "customers.csv", int? batchSize = null) => new()
    {
        Entity = "Customer",
        FileType = "csv",
        File = new MemoryStream(Encoding.UTF8.GetBytes(csv)),
        FileName = fileName,
        Mapping = TestEngine.Map("Name", "Email", "Balance"),
        Mode = ImportMode.CreateAndUpdate,
        Domain = domain,
        BatchSize = batchSize,
    };

    public async Task StartWorkerAsync()
    {
        _started = true;
        await Worker.StartAsync(CancellationToken.None);
    }

    /// <summary>Polls the job until the condition holds; generous timeout for a loaded CI machine.</summary>
    public async Task<ImportJobDto> WaitForAsync(string? domain, string id, Func<ImportJobDto, bool> condition, Action? eachPoll = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var job = await Jobs.GetAsync(domain, id);
            if (job is not null && condition(job))
            {
                return job;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {id} did not reach the expected state; last seen: {job?.Status} {job?.Message}");
            }

            eachPoll?.Invoke();
            await Task.Delay(20);
        }
    }

    public Task<ImportJobDto> WaitFinishedAsync(string? domain, string id) => WaitForAsync(domain, id, j => j.IsFinished);

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await Worker.StopAsync(CancellationToken.None);
        }

        await Provider.DisposeAsync();
    }
}

/// <summary>A sink that upserts by email, counts writes per key, and can hold a batch until the test lets it go.</summary>
public sealed class CountingSink : ImportSink<Customer>
{
    private int _batches;

    public ConcurrentDictionary<string, Customer> Records { get; } = new();

    public ConcurrentDictionary<string, int> Writes { get; } = new();

    /// <summary>Gets or sets what runs before batch n (from 1) is written.</summary>
    public Func<int, CancellationToken, Task>? BeforeBatch { get; set; }

    /// <summary>Gets or sets what runs after batch n (from 1) is written (committed).</summary>
    public Func<int, CancellationToken, Task>? AfterBatch { get; set; }

    public int Batches => Volatile.Read(ref _batches);

    /// <summary>Makes batch <paramref name="batch"/> hang until cancelled, as a host that died mid-write; the task completes when it is reached.</summary>
    public Task StallAt(int batch)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        BeforeBatch = async (n, ct) =>
        {
            if (n == batch)
            {
                held.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }
        };
        return held.Task;
    }

    public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<ImportKey>>(keys.Where(k => Records.ContainsKey((string)k[0]!)).ToHashSet());

    public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _batches);
        if (BeforeBatch is { } before)
        {
            await before(number, cancellationToken);
        }

        foreach (var write in batch)
        {
            Records[write.Record.Email!] = write.Record;
            Writes.AddOrUpdate(write.Record.Email!, 1, (_, n) => n + 1);
        }

        if (AfterBatch is { } after)
        {
            await after(number, cancellationToken);
        }
    }
}
