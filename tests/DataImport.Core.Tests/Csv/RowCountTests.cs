using DataImport.Csv;

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

        var engine = TestEngine.Customers(o => (o.MaxDegreeOfParallelism, o.ProcessorCount) = (1, 2));

        var (source, _, estimate, gate) = await engine.Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
        using (source)
        {
            gate.Should().BeNull("with one converting thread the count runs freely on the other core");
            (await estimate!).Should().Be(20_000);
            input.BytesRead.Should().BeLessThan(input.Length / 2, "the import's stream is read once, by the import; the count used its own handle");
            source.Read().Should().BeTrue();
            source.GetText(0).ToString().Should().Be("N0");
        }
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(1, 1)]
    public async Task FileOnDisk_ThreadsTakingEveryCore_AreCountedOnlyWhileTheGateIsOpen(int threads, int cores)
    {
        using var file = new TempFile(Rows(20_000));
        await using var input = file.Open();
        using var counting = new CancellationTokenSource();
        var engine = TestEngine.Customers(o => (o.MaxDegreeOfParallelism, o.ProcessorCount) = (threads, cores));

        var (source, _, estimate, gate) = await engine.Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
        using (source)
        {
            // The count reads through the gate, so while it is closed it cannot have read the file, let alone counted it.
            gate.Should().NotBeNull("every core converts (one thread on one core too), so the count waits for the run to leave one idle");
            estimate!.IsCompleted.Should().BeFalse();

            gate!.Open();
            (await estimate.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(20_000);
        }
    }

    [Fact]
    public async Task FileOnDisk_FewerConvertingThreadsThanCores_IsCountedFreely()
    {
        using var file = new TempFile(Rows(20_000));
        await using var input = file.Open();
        using var counting = new CancellationTokenSource();
        var engine = TestEngine.Customers(o => (o.MaxDegreeOfParallelism, o.ProcessorCount) = (2, 8));

        var (source, _, estimate, gate) = await engine.Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
        using (source)
        {
            gate.Should().BeNull("six of the eight cores stay idle, so the count runs on one of them");
            (await estimate!.WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(20_000);
        }
    }

    [Fact]
    public async Task FileTheHostHoldsExclusively_IsCountedBeforeReading()
    {
        using var file = new TempFile(Rows(20_000));
        await using var input = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.None);
        using var counting = new CancellationTokenSource();

        var (source, _, estimate, _) = await TestEngine.Customers().Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
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

        var (source, _, estimate, _) = await engine.Sources.OpenAsync(TestEngine.Csv(input), counting, CancellationToken.None);
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

    /// <summary>A stream handing out its bytes in reads of the sizes given in turn, so records and quotes straddle reads and blocks.</summary>
    private sealed class ChoppedStream(byte[] content, int[] sizes) : MemoryStream(content)
    {
        private int _next;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, sizes[_next++ % sizes.Length])], cancellationToken);
    }

    /// <summary>The counter's rule a byte at a time: a line feed outside quotes ends a record that had content (anything but the delimiter, space, tab or CR; a quote and what it encloses count).</summary>
    private static int CountByRule(byte[] content)
    {
        var (inQuotes, hasContent, records) = (false, false, 0);
        foreach (var b in content)
        {
            if (inQuotes)
            {
                inQuotes = b != (byte)'"';
            }
            else if (b == (byte)'"')
            {
                (inQuotes, hasContent) = (true, true);
            }
            else if (b == (byte)'\n')
            {
                records += hasContent ? 1 : 0;
                hasContent = false;
            }
            else if (b is not ((byte)',' or (byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                hasContent = true;
            }
        }

        return records + (hasContent ? 1 : 0);
    }

    [Fact]
    public async Task Counter_QuotedLineFeedsBlankLinesAndCrLf_CountsTheDataRows()
    {
        var content = "Name,Email\r\n\"Ann\nLee\",\"a@x.com\"\r\n\r\n , \t\r\n\"\"\"Bo\"\"\",b@x.com\n,,\nCy,\"c\n\n@x.com\""u8.ToArray();

        var rows = await CsvRowCounter.CountDataRowsAsync(new MemoryStream(content), null, ',', hasHeaderRow: true, CancellationToken.None);

        rows.Should().Be(3, "Ann, Bo and Cy: the blank, spaces-only and delimiters-only lines are not rows, and line feeds in quotes do not end one");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Counter_RandomBytes_CountsAsTheRuleSaysAtEveryReadSize(int seed)
    {
        // Few distinct bytes, so quotes, line feeds and blanks meet in every arrangement, across 64-byte blocks and reads.
        var random = new Random(seed);
        byte[] alphabet = [(byte)'a', (byte)',', (byte)' ', (byte)'\t', (byte)'\r', (byte)'\n', (byte)'\n', (byte)'"', (byte)'x', (byte)'1'];
        for (var round = 0; round < 200; round++)
        {
            var content = new byte[random.Next(0, 3000)];
            for (var i = 0; i < content.Length; i++)
            {
                content[i] = alphabet[random.Next(alphabet.Length)];
            }

            int[] sizes = [random.Next(1, 200), random.Next(1, 70), 64, random.Next(100, 5000)];
            await using var stream = new ChoppedStream(content, sizes);

            var rows = await CsvRowCounter.CountDataRowsAsync(stream, null, ',', hasHeaderRow: false, CancellationToken.None);

            var expected = CountByRule(content);
            rows.Should().Be(expected, $"seed {seed}, round {round}, read sizes {string.Join(", ", sizes)}");

            // Both vector widths (this machine may take only one of them in a count), in pieces cut at random.
            foreach (var wide in new[] { true, false })
            {
                var state = default(CsvRowCounter.State);
                for (var at = 0; at < content.Length;)
                {
                    var length = Math.Min(content.Length - at, random.Next(1, 400));
                    CsvRowCounter.Scan(content.AsSpan(at, length), (byte)',', ref state, wide);
                    at += length;
                }

                (state.Records + (state.Content ? 1 : 0)).Should().Be(expected, $"seed {seed}, round {round}, wide {wide}");
            }
        }
    }
}
