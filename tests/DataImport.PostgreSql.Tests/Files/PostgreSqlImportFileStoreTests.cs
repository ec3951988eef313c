using Npgsql;

namespace DataImport.PostgreSql.Tests.Files;

/// <summary>The file store on the test server, with 1,000-byte chunks so small files cross many chunk boundaries.</summary>
public sealed class PostgreSqlImportFileStoreTests : IAsyncLifetime
{
    private const int Chunk = 1000;
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N");
    private readonly List<NpgsqlDataSource> _dataSources = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_dataSources.Count > 0)
        {
            await PostgresTestDatabase.DropSchemaAsync(_dataSources[0], _schema);
        }

        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }

    // Each store has its own data source, as a store on another host would.
    private PostgreSqlImportFileStore Store(int chunkSize = Chunk)
    {
        var dataSource = PostgresTestDatabase.CreateDataSource();
        _dataSources.Add(dataSource);
        return new PostgreSqlImportFileStore(new PostgreSqlImportDatabase(dataSource, _schema, ownsDataSource: false), chunkSize);
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, int bufferSize)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[bufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        return copy.ToArray();
    }

    [PostgresTheory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1000)]
    [InlineData(10_500)]
    public async Task SaveUploadAsync_FileOfManyChunks_ReadsBackByteForByteOnAnotherHost(int length)
    {
        var content = Bytes(length, length);
        var id = await Store().SaveUploadAsync("job-1", new MemoryStream(content), maxBytes: 20_000, default);

        await using var read = (await Store().OpenUploadAsync(id, default))!;

        read.Length.Should().Be(length);
        read.CanSeek.Should().BeTrue();
        (await ReadAllAsync(read, 333)).Should().Equal(content);
    }

    [PostgresFact]
    public async Task SaveUploadAsync_DefaultChunksOfOneMebibyte_ReadBackByteForByte()
    {
        var content = Bytes((3 * 1024 * 1024) + 12_345, 7);
        var store = Store(PostgreSqlImportFileStore.DefaultChunkSize);
        var id = await store.SaveUploadAsync("job-big", new MemoryStream(content), maxBytes: 10 * 1024 * 1024, default);

        await using var read = (await store.OpenUploadAsync(id, default))!;

        (await ReadAllAsync(read, 81_920)).Should().Equal(content);
        await using var command = _dataSources[0].CreateCommand($"SELECT count(*), max(length(data)) FROM \"{_schema}\".import_file_chunks WHERE file_id = 'job-big.upload'");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        (reader.GetInt64(0), reader.GetInt32(1)).Should().Be((4L, PostgreSqlImportFileStore.DefaultChunkSize));
    }

    [PostgresFact]
    public async Task OpenUploadAsync_SeekAcrossChunks_ReadsFromThere()
    {
        var content = Bytes(5_000, 3);
        var store = Store();
        var id = await store.SaveUploadAsync("job-1", new MemoryStream(content), 10_000, default);
        await using var read = (await store.OpenUploadAsync(id, default))!;
        var buffer = new byte[1_500];

        read.Seek(2_700, SeekOrigin.Begin);
        await read.ReadExactlyAsync(buffer);
        buffer.Should().Equal(content[2_700..4_200]);

        read.Position = 10;
        read.ReadExactly(buffer.AsSpan(0, 100));
        buffer[..100].Should().Equal(content[10..110]);

        read.Seek(-3, SeekOrigin.End);
        (await ReadAllAsync(read, 10)).Should().Equal(content[^3..]);
    }

    [PostgresFact]
    public async Task SaveUploadAsync_LargerThanTheLimit_ThrowsAndKeepsNothing()
    {
        var store = Store();

        var act = async () => await store.SaveUploadAsync("job-1", new MemoryStream(Bytes(4_001, 1)), maxBytes: 4_000, default);

        (await act.Should().ThrowAsync<ImportFileTooLargeException>()).Which.LimitBytes.Should().Be(4_000);
        (await store.OpenUploadAsync("job-1.upload", default)).Should().BeNull();
        await using var command = _dataSources[0].CreateCommand($"SELECT (SELECT count(*) FROM \"{_schema}\".import_files) + (SELECT count(*) FROM \"{_schema}\".import_file_chunks)");
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(0);
        var exact = await store.SaveUploadAsync("job-1", new MemoryStream(Bytes(4_000, 1)), maxBytes: 4_000, default);
        (await store.OpenUploadAsync(exact, default))!.Length.Should().Be(4_000);
    }

    // The next chunk is read while the previous one is sent: a client that goes away mid-upload fails it with the send
    // still in flight, which must roll back cleanly and leave the connection usable.
    [PostgresFact]
    public async Task SaveUploadAsync_ClientGoneMidUpload_ThrowsAndKeepsNothing()
    {
        var store = Store();
        var content = Bytes(5_500, 4);

        var act = async () => await store.SaveUploadAsync("job-1", new BrokenStream(content, failAfter: 4_200), maxBytes: 10_000, default);

        await act.Should().ThrowAsync<IOException>().WithMessage("The client went away.");
        (await store.OpenUploadAsync("job-1.upload", default)).Should().BeNull();
        await using var command = _dataSources[0].CreateCommand($"SELECT count(*) FROM \"{_schema}\".import_file_chunks");
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(0);
        var id = await store.SaveUploadAsync("job-1", new MemoryStream(content), maxBytes: 10_000, default);
        await using var read = (await store.OpenUploadAsync(id, default))!;
        (await ReadAllAsync(read, 700)).Should().Equal(content);
    }

    [PostgresFact]
    public async Task OpenNotImportedForWriteAsync_ResumedAtTheCheckpointsLength_CutsBackAndAppends()
    {
        var first = Bytes(2_500, 1);
        var lost = Bytes(900, 2);
        var resumed = Bytes(1_400, 3);
        var store = Store();
        long checkpoint;
        await using (var output = await store.OpenNotImportedForWriteAsync("job-1", 0, default))
        {
            await output.WriteAsync(first);
            await output.FlushAsync();
            checkpoint = output.Length;
            output.Write(lost);
            output.Flush();
        }

        // Another host resumes from the checkpoint: the rows written after it are cut off, then written again.
        await using (var output = await Store().OpenNotImportedForWriteAsync("job-1", checkpoint - 700, default))
        {
            output.Length.Should().Be(1_800);
            output.Position.Should().Be(1_800);
            await output.WriteAsync(resumed);
        }

        await using var read = (await Store().OpenNotImportedAsync("job-1", default))!;
        (await ReadAllAsync(read, 4096)).Should().Equal([.. first[..1_800], .. resumed]);
    }

    [PostgresFact]
    public async Task FlushAsync_WrittenBytes_AreReadableFromAnotherHostAtOnce()
    {
        var content = Bytes(1_234, 5);
        await using var output = await Store().OpenNotImportedForWriteAsync("job-1", 0, default);
        await output.WriteAsync(content);
        var reader = Store();
        await using (var before = (await reader.OpenNotImportedAsync("job-1", default))!)
        {
            before.Length.Should().Be(1_000, "only the full chunk is stored before the flush");
        }

        await output.FlushAsync();

        await using var after = (await reader.OpenNotImportedAsync("job-1", default))!;
        (await ReadAllAsync(after, 100)).Should().Equal(content);
    }

    [PostgresFact]
    public async Task OpenNotImportedAsync_WhileTheWriterAppends_ReadsTheLengthItOpenedWith()
    {
        var content = Bytes(4_000, 9);
        var store = Store();
        await using var output = await store.OpenNotImportedForWriteAsync("job-1", 0, default);
        await output.WriteAsync(content.AsMemory(0, 1_500));
        await output.FlushAsync();
        await using var read = (await Store().OpenNotImportedAsync("job-1", default))!;
        var firstPart = new byte[700];
        await read.ReadExactlyAsync(firstPart);

        await output.WriteAsync(content.AsMemory(1_500));
        await output.FlushAsync();

        (await ReadAllAsync(read, 512)).Should().Equal(content[700..1_500]);
    }

    [PostgresFact]
    public async Task FlushAsync_JobTakenOverByAnotherWorker_FailsAndLeavesTheNewOwnersFile()
    {
        var store = Store();
        var stale = await store.OpenNotImportedForWriteAsync("job-1", 0, default);
        await stale.WriteAsync(Bytes(300, 1));
        await stale.FlushAsync();
        await using (var owner = await Store().OpenNotImportedForWriteAsync("job-1", 0, default))
        {
            await owner.WriteAsync(Bytes(200, 2));
        }

        await stale.WriteAsync(Bytes(50, 3));
        var act = async () => await stale.FlushAsync();

        await act.Should().ThrowAsync<IOException>().WithMessage("*changed by another writer*");
        await stale.DisposeAsync();
        await using var read = (await store.OpenNotImportedAsync("job-1", default))!;
        (await ReadAllAsync(read, 100)).Should().Equal(Bytes(200, 2));
    }

    [PostgresFact]
    public async Task DeleteAsync_UploadAndNotImportedFile_AreBothGone()
    {
        var store = Store();
        var id = await store.SaveUploadAsync("job-1", new MemoryStream(Bytes(2_500, 1)), 10_000, default);
        await using (var output = await store.OpenNotImportedForWriteAsync("job-1", 0, default))
        {
            await output.WriteAsync(Bytes(1_500, 2));
        }

        var other = await store.SaveUploadAsync("job-2", new MemoryStream(Bytes(10, 1)), 10_000, default);

        await store.DeleteAsync("job-1", id, default);

        (await store.OpenUploadAsync(id, default)).Should().BeNull();
        (await store.OpenNotImportedAsync("job-1", default)).Should().BeNull();
        (await store.OpenUploadAsync(other, default))!.Length.Should().Be(10);
        await using var command = _dataSources[0].CreateCommand($"SELECT count(*) FROM \"{_schema}\".import_file_chunks WHERE file_id LIKE 'job-1.%'");
        ((long)(await command.ExecuteScalarAsync())!).Should().Be(0);
        await store.DeleteAsync("job-1", id, default);
    }

    [PostgresFact]
    public async Task OpenUploadAsync_IdThatIsAPath_IsRefused()
    {
        var act = async () => await Store().OpenUploadAsync("../etc/passwd", default);

        await act.Should().ThrowAsync<ArgumentException>();
    }

    /// <summary>A request body whose client disconnects after <c>failAfter</c> bytes.</summary>
    private sealed class BrokenStream(byte[] content, int failAfter) : MemoryStream(content)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position >= failAfter
                ? throw new IOException("The client went away.")
                : base.ReadAsync(buffer[..Math.Min(buffer.Length, failAfter - (int)Position)], cancellationToken);
    }

    private async Task<long> RowsOfAsync(string fileId)
    {
        await using var command = _dataSources[0].CreateCommand($"SELECT (SELECT count(*) FROM \"{_schema}\".import_files WHERE id = $1) + (SELECT count(*) FROM \"{_schema}\".import_file_chunks WHERE file_id = $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = fileId });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [PostgresFact]
    public async Task DeleteAbandonedUploadsAsync_OldUploadOfNoJob_IsDeletedWithItsChunks_AJobsAndAFreshOneAreKept()
    {
        var store = Store();
        foreach (var job in new[] { "live", "dead", "fresh" })
        {
            await store.SaveUploadAsync(job, new MemoryStream(Bytes(2_500, 1)), 10_000, default);
        }

        await using (var notImported = await store.OpenNotImportedForWriteAsync("dead", 0, default))
        {
            await notImported.WriteAsync(Bytes(10, 2));
        }

        // Two uploads saved two hours ago by the database's clock; "fresh" was saved just now.
        await using (var age = _dataSources[0].CreateCommand($"UPDATE \"{_schema}\".import_files SET saved_at = now() - interval '2 hours' WHERE id IN ('live.upload', 'dead.upload')"))
        {
            await age.ExecuteNonQueryAsync();
        }

        List<string> asked = [];
        var deleted = await Store().DeleteAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1), (id, _) =>
        {
            asked.Add(id);
            return ValueTask.FromResult(id == "live");
        }, default);

        deleted.Should().Be(1);
        asked.Should().BeEquivalentTo(["live", "dead"], "only uploads older than the cut are looked up, by the job id they were saved for");
        (await RowsOfAsync("dead.upload")).Should().Be(0, "the upload and its three chunks are gone");
        (await RowsOfAsync("dead.not-imported.csv")).Should().Be(0);
        (await ReadAllAsync((await store.OpenUploadAsync("live.upload", default))!, 1000)).Should().Equal(Bytes(2_500, 1));
        (await store.OpenUploadAsync("fresh.upload", default)).Should().NotBeNull();
    }

    [PostgresFact]
    public async Task FirstUse_SchemaOfVersion1WithAFile_IsMigratedAndTheFileCountsAsSavedNow()
    {
        var store = Store();
        await store.SaveUploadAsync("old", new MemoryStream(Bytes(1_500, 4)), 10_000, default);
        await using (var downgrade = _dataSources[0].CreateCommand($"ALTER TABLE \"{_schema}\".import_files DROP COLUMN saved_at; DELETE FROM \"{_schema}\".schema_version WHERE version > 1"))
        {
            await downgrade.ExecuteNonQueryAsync();
        }

        var upgraded = Store();
        var deleted = await upgraded.DeleteAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(-1), (_, _) => ValueTask.FromResult(false), default);

        deleted.Should().Be(0, "a file from before the upgrade is as old as the upgrade");
        (await ReadAllAsync((await upgraded.OpenUploadAsync("old.upload", default))!, 1000)).Should().Equal(Bytes(1_500, 4));
        (await upgraded.DeleteAbandonedUploadsAsync(DateTimeOffset.UtcNow.AddHours(1), (_, _) => ValueTask.FromResult(false), default)).Should().Be(1);
    }
}
