namespace DataImport.Tests.Csv;

/// <summary>The progress estimate (totalItems before the end): counted on a second handle for files on disk.</summary>
public sealed class RowCountTests
{
    /// <summary>A file stream that tells how many bytes the import read through it.</summary>
    private sealed class ReadCountingFileStream(string path) : FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)
    {
        public long BytesRead { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            var read = base.Read(buffer);
            BytesRead += read;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = base.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            return read;
        }
    }

    private static string Rows(int count) =>
        "Name,Email\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"N{i},\"n{i}@x.com\"\n"));

    [Fact]
    public async Task FileOnDisk_IsCountedOnASecondHandle_WithoutReadingTheImportsStreamTwice()
    {
        using var file = new TempFile(Rows(20_000));
        await using var input = new ReadCountingFileStream(file.Path);
        using var counting = new CancellationTokenSource();

        var (source, _, estimate) = await TestEngine.Customers().Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
        using (source)
        {
            (await estimate!).Should().Be(20_000);
            input.BytesRead.Should().BeLessThan(input.Length / 2, "the import's stream is read once, by the import; the count used its own handle");
            source.Read().Should().BeTrue();
            source.GetText(0).ToString().Should().Be("N0");
        }
    }

    [Fact]
    public async Task FileTheHostHoldsExclusively_IsCountedBeforeReading()
    {
        using var file = new TempFile(Rows(20_000));
        await using var input = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.None);
        using var counting = new CancellationTokenSource();

        var (source, _, estimate) = await TestEngine.Customers().Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
        using (source)
        {
            estimate!.IsCompleted.Should().BeTrue("a second handle cannot be opened, so the count ran on the import's stream first");
            (await estimate).Should().Be(20_000);
            source.Read().Should().BeTrue();
            source.GetText(0).ToString().Should().Be("N0");
        }
    }

    [Fact]
    public async Task Import_FromFileOnDisk_EndsWithExactTotalAndAllRows()
    {
        using var file = new TempFile(Rows(20_000) + "\n\n");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<Customer>();

        var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input, batchSize: 500), sink);

        (job.Status, job.TotalItems, job.ProcessedItems, job.CreatedCount).Should().Be((ImportJobStatus.Completed, 20_000, 20_000, 20_000));
        sink.Records.Should().HaveCount(20_000);
    }

    [Fact]
    public async Task Import_FailingEarly_StopsTheBackgroundCountAndReleasesTheFile()
    {
        // The header has a mapped column missing, so the run fails right after opening, with the count still running.
        using var file = new TempFile("Nom,Courriel\n" + string.Concat(Enumerable.Range(0, 200_000).Select(i => $"N{i},n{i}@x.com\n")));
        await using (var input = file.Open())
        {
            var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input), new InMemoryImportSink<Customer>());
            job.Status.Should().Be(ImportJobStatus.Failed);
        }

        // No handle of ours stays open: the file can be opened exclusively at once.
        await using var exclusive = new FileStream(file.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        exclusive.Length.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Import_FileRefusedWhenOpened_StopsTheBackgroundCountAndReleasesTheFile()
    {
        // 8 MB of NUL bytes: refused as binary when the reader opens it, while the count has a large file ahead of it.
        using var file = new TempFile(new byte[8 * 1024 * 1024]);
        await using (var input = file.Open())
        {
            var job = await TestEngine.Customers().RunAsync(TestEngine.Csv(input), new InMemoryImportSink<Customer>());
            job.Status.Should().Be(ImportJobStatus.Failed);
        }

        await using var exclusive = new FileStream(file.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        exclusive.Length.Should().Be(8 * 1024 * 1024);
    }

    [Fact]
    public async Task FileOnDisk_WithReadAhead_IsCountedWhileTheReadingThreadWaits_AndFinishes()
    {
        using var file = new TempFile(Rows(50_000));
        await using var input = file.Open();
        using var counting = new CancellationTokenSource();
        var engine = TestEngine.Customers(o => (o.ReadAheadMinBytes, o.MaxDegreeOfParallelism) = (0, 1));

        var (source, _, estimate) = await engine.Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
        using (source)
        {
            source.Should().BeOfType<DataImport.Reading.ReadAheadRowSource>();
            var rows = 0;
            while (source.Read())
            {
                rows++;
            }

            rows.Should().Be(50_000);
            (await estimate!.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(50_000, "the count runs when the reading thread waits, and freely once it ended");
        }
    }
}
