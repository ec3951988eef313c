using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;
using Xunit.Abstractions;

namespace DataImport.PostgreSql.Tests.Files;

/// <summary>
/// A 1 GiB upload through the file store on the test server, with the default 1 MiB chunks: generated as it is read
/// (no 1 GiB array, no 1 GiB file), read back through the store's stream, compared by length and SHA-256. The managed heap
/// is sampled all along; a store that held the file would pass 1 GiB, the bound is a quarter of that, and a streaming
/// store stays a few MiB above the process's own level. These tests run alone so no other test's allocations count.
/// </summary>
[Collection(nameof(PostgreSqlLargeFileTests))]
[CollectionDefinition(nameof(PostgreSqlLargeFileTests), DisableParallelization = true)]
public sealed class PostgreSqlLargeFileTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long OneGibibyte = 1024L * 1024 * 1024;

    /// <summary>The highest managed heap allowed: far above a streaming store's few chunks, far below the 1 GiB a buffering one holds.</summary>
    private const long MaxHeapBytes = 256L * 1024 * 1024;

    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");
    private NpgsqlDataSource? _dataSource;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await PostgresTestDatabase.DropSchemaAsync(_dataSource, _schema);
            await _dataSource.DisposeAsync();
        }
    }

    private PostgreSqlImportFileStore Store()
    {
        _dataSource ??= PostgresTestDatabase.CreateDataSource();
        return new PostgreSqlImportFileStore(_dataSource, _schema);
    }

    /// <summary>Runs <paramref name="action"/> and returns the highest managed heap seen meanwhile.</summary>
    private static async Task<long> PeakHeapAsync(Func<Task> action)
    {
        using var heap = new HeapPeak();
        await action();
        return heap.Stop();
    }

    private static async Task<(long Length, byte[] Hash)> ReadAllAsync(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81_920];
        long length = 0;
        int count;
        while ((count = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, count);
            length += count;
        }

        return (length, hash.GetHashAndReset());
    }

    private static long Baseline()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private void Report(string what, long before, long writePeak, TimeSpan written, long readPeak, TimeSpan read)
    {
        output.WriteLine($"{what}: written in {written.TotalSeconds:F1} s, read in {read.TotalSeconds:F1} s");
        output.WriteLine($"managed heap: {before / 1048576.0:F1} MiB before, peak {writePeak / 1048576.0:F1} MiB while writing, {readPeak / 1048576.0:F1} MiB while reading");
    }

    [PostgresFact]
    public async Task SaveUploadAsync_OneGibibyteStreamedUpload_ReadsBackWholeWithAFlatHeap()
    {
        var store = Store();
        var content = new GeneratedCsvStream(OneGibibyte);
        var before = Baseline();
        var clock = Stopwatch.StartNew();

        string id = null!;
        var writePeak = await PeakHeapAsync(async () => id = await store.SaveUploadAsync("job-1", content, maxBytes: OneGibibyte, default));
        var written = clock.Elapsed;
        clock.Restart();
        (long Length, byte[] Hash) back = default;
        var readPeak = await PeakHeapAsync(async () =>
        {
            await using var stream = (await store.OpenUploadAsync(id, default))!;
            stream.Length.Should().Be(OneGibibyte);
            back = await ReadAllAsync(stream);
        });

        Report("1 GiB upload", before, writePeak, written, readPeak, clock.Elapsed);
        content.Produced.Should().Be(OneGibibyte);
        back.Length.Should().Be(OneGibibyte);
        back.Hash.Should().Equal(content.Hash());
        writePeak.Should().BeLessThan(MaxHeapBytes, "the upload streams into the database a chunk at a time");
        readPeak.Should().BeLessThan(MaxHeapBytes, "the stored file streams out a chunk at a time");
    }

    [PostgresFact]
    public async Task OpenNotImportedForWriteAsync_OneGibibyteFlushedAsAtCheckpoints_ReadsBackWholeWithAFlatHeap()
    {
        const int FlushEvery = 3 * 1024 * 1024;
        var store = Store();
        var content = new GeneratedCsvStream(OneGibibyte);
        var before = Baseline();
        var clock = Stopwatch.StartNew();

        // Written as the engine writes it: small writes, and a flush at each checkpoint (here every 3 MiB, so flushes
        // land inside chunks and append to them).
        var writePeak = await PeakHeapAsync(async () =>
        {
            await using var file = await store.OpenNotImportedForWriteAsync("job-1", 0, default);
            var buffer = new byte[4096];
            int count;
            long sinceFlush = 0;
            while ((count = await content.ReadAsync(buffer)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, count));
                if ((sinceFlush += count) >= FlushEvery)
                {
                    await file.FlushAsync();
                    sinceFlush = 0;
                }
            }
        });
        var written = clock.Elapsed;
        clock.Restart();
        (long Length, byte[] Hash) back = default;
        var readPeak = await PeakHeapAsync(async () =>
        {
            await using var stream = (await store.OpenNotImportedAsync("job-1", default))!;
            stream.Length.Should().Be(OneGibibyte);
            back = await ReadAllAsync(stream);
        });

        Report("1 GiB not-imported file", before, writePeak, written, readPeak, clock.Elapsed);
        back.Length.Should().Be(OneGibibyte);
        back.Hash.Should().Equal(content.Hash());
        writePeak.Should().BeLessThan(MaxHeapBytes, "the not-imported file streams into the database a chunk at a time");
        readPeak.Should().BeLessThan(MaxHeapBytes, "the stored file streams out a chunk at a time");
    }

    [PostgresFact]
    public async Task SaveUploadAsync_StreamLongerThanTheLimit_StopsReadingAtTheLimitAndKeepsNothing()
    {
        const long limit = 8L * 1024 * 1024;
        var store = Store();
        var content = new GeneratedCsvStream(OneGibibyte);

        var act = async () => await store.SaveUploadAsync("job-1", content, maxBytes: limit, default);

        (await act.Should().ThrowAsync<ImportFileTooLargeException>()).Which.LimitBytes.Should().Be(limit);
        content.Produced.Should().BeLessThanOrEqualTo(limit + PostgreSqlImportFileStore.DefaultChunkSize, "the upload is cut while it streams, not after the whole body was read");
        (await store.OpenUploadAsync("job-1.upload", default)).Should().BeNull();
        await using var command = _dataSource!.CreateCommand($"SELECT count(*) FROM \"{_schema}\".import_file_chunks");
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(0);
    }
}
