using System.Globalization;
using System.Text;
using DataImport.Pipeline;
using DataImport.Tests.Xlsx;

namespace DataImport.Tests.Pipeline;

/// <summary>
/// Conversion on several threads (<see cref="DataImportOptions.MaxDegreeOfParallelism"/>): random files against a model
/// of the modes, and every worker count and batch size against the one-thread run, byte for byte; a reader failure,
/// a cancellation and a resumed run with several workers.
/// </summary>
public sealed class ParallelConversionTests
{
    private static readonly int[] Workers = [1, 2, 4];
    private static readonly int[] BatchSizes = [1, 7, 64, 300, 1000];

    /// <summary>What a run leaves that a user sees.</summary>
    private sealed record RunResult(ImportJobDto Job, List<string> Records, byte[] NotImported, List<string> Checkpoints)
    {
        // The total of a run that did not complete is the background estimate, whenever it came in: not compared.
        public (ImportJobStatus, int, int, int, int, int?, int, string?) Counters =>
            (Job.Status, Job.CreatedCount, Job.UpdatedCount, Job.SkippedCount, Job.ErrorCount, Job.Status == ImportJobStatus.Completed ? Job.TotalItems : null, Job.ProcessedItems, Job.Message);
    }

    /// <summary>One generated row: its text and what the model expects of it.</summary>
    private sealed record ModelRow(string Line, string? Name, string? Email, decimal? Balance, bool Invalid, bool Missing);

    /// <summary>
    /// A random customers file: valid rows; names too long for <c>[MaxLength(20)]</c> (some of thousands of chars, so a
    /// chunk ends on its text size); bad balances; missing names or e-mails; repeated e-mails (keys); quoted commas,
    /// doubled quotes and line breaks in quotes; rows short of their trailing fields; blank lines.
    /// </summary>
    private static (string Csv, List<ModelRow> Rows) RandomFile(Random random, int rows)
    {
        var text = new StringBuilder("Name,Email,Balance\r\n");
        var model = new List<ModelRow>();
        for (var i = 0; i < rows; i++)
        {
            if (random.Next(40) == 0)
            {
                text.Append(random.Next(2) == 0 ? "\r\n" : ",,\r\n");
            }

            var nameKind = random.Next(20);
            var name = nameKind switch
            {
                0 => "",
                1 => new string('x', random.Next(2) == 0 ? 21 : 3000 + random.Next(3000)),
                2 => $"Doe, J{i}",
                3 => $"Say \"hi\" {i}",
                4 => $"Two\nlines {i}",
                _ => $"N{i}",
            };
            var email = random.Next(15) == 0 ? "" : $"c{random.Next(60)}@x.com";
            var balanceKind = random.Next(12);
            var balance = balanceKind switch
            {
                0 => "",
                1 => $"x{i}",
                _ => (random.Next(100_000) / 100m).ToString(CultureInfo.InvariantCulture),
            };
            var shortRow = balanceKind == 0 && random.Next(2) == 0;
            var line = $"{Quote(name)},{email}" + (shortRow ? "" : $",{balance}");
            var invalid = name.Length > 20 || balanceKind == 1;
            var missing = name.Length == 0 || email.Length == 0;
            model.Add(new ModelRow(line, name, email, balanceKind switch { 0 => null, 1 => null, _ => decimal.Parse(balance, CultureInfo.InvariantCulture) }, invalid, missing));
            text.Append(line).Append("\r\n");
        }

        return (text.ToString(), model);
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static InMemoryImportSink<Customer> Seeded(IEnumerable<string> emails)
    {
        var sink = new InMemoryImportSink<Customer>();
        foreach (var email in emails)
        {
            sink.Seed(new Customer { Name = "Seed", Email = email, Balance = 0m }, new ImportKey(email));
        }

        return sink;
    }

    private static string Show(Customer c) => $"{c.Name}|{c.Email}|{c.Balance}";

    private static string Show(ImportJobCheckpoint c) =>
        $"{c.LastRow} {c.Created}/{c.Updated}/{c.Skipped}/{c.Errors} {c.NotImportedBytes} errors {string.Join(";", c.RowErrors.Select(e => $"{e.Row}:{e.Code}"))} pending {string.Join(";", c.PendingDecisions.Select(d => $"{d.Row}={d.Outcome}"))}";

    private static Task<RunResult> RunAsync(string csv, ImportMode mode, int workers, int batchSize, InMemoryImportSink<Customer> sink, ImportJobCheckpoint? resume = null, byte[]? notImportedBefore = null, Action<ImportJobCheckpoint, InMemoryImportSink<Customer>>? onCheckpoint = null, bool awaitingSink = false) =>
        RunAsync(Encoding.UTF8.GetBytes(csv), mode, workers, batchSize, sink, resume, notImportedBefore, onCheckpoint, awaitingSink);

    private static async Task<RunResult> RunAsync(byte[] csv, ImportMode mode, int workers, int batchSize, InMemoryImportSink<Customer> sink, ImportJobCheckpoint? resume = null, byte[]? notImportedBefore = null, Action<ImportJobCheckpoint, InMemoryImportSink<Customer>>? onCheckpoint = null, bool awaitingSink = false, int? maxRows = -1)
    {
        using var file = new TempFile(csv);
        await using var input = file.Open();
        using var output = new MemoryStream();
        output.Write(notImportedBefore ?? []);
        var engine = TestEngine.Customers(o =>
        {
            o.MaxDegreeOfParallelism = workers;
            if (maxRows != -1)
            {
                o.MaxRows = maxRows;
            }
        });
        var checkpoints = new List<string>();
        var run = new ImportRunOptions
        {
            Resume = resume,
            OnCheckpoint = (checkpoint, _, _) =>
            {
                checkpoints.Add(Show(checkpoint));
                onCheckpoint?.Invoke(checkpoint, sink);
                return ValueTask.CompletedTask;
            },
        };
        var request = TestEngine.Csv(input, mode: mode, batchSize: batchSize, notImported: output);
        var job = await engine.RunCoreAsync(request, engine.FindImportEntity("Customer")!, awaitingSink ? new AwaitingSink<Customer>(sink) : sink, run, CancellationToken.None);
        return new RunResult(job, [.. sink.Records.Select(Show)], output.ToArray(), checkpoints);
    }

    /// <summary>The same counters, records in the same order, row errors and not-imported bytes; checkpoints too unless the batch sizes differ.</summary>
    private static void ShouldEqual(RunResult actual, RunResult expected, string because, bool sameBatchSize = true)
    {
        actual.Counters.Should().Be(expected.Counters, because);
        actual.Records.Should().Equal(expected.Records, because);
        actual.Job.Errors.Should().Equal(expected.Job.Errors, because);
        actual.NotImported.Should().Equal(expected.NotImported, because);
        if (sameBatchSize)
        {
            actual.Checkpoints.Should().Equal(expected.Checkpoints, because);
        }
    }

    [Theory]
    [InlineData(1, ImportMode.CreateOnly)]
    [InlineData(2, ImportMode.CreateAndUpdate)]
    [InlineData(3, ImportMode.UpdateOnly)]
    [InlineData(4, ImportMode.CreateAndUpdate)]
    [InlineData(5, ImportMode.CreateOnly)]
    public async Task Import_RandomFiles_MatchTheModelAndEqualOneThreadAtEveryWorkerCountAndBatchSize(int seed, ImportMode mode)
    {
        var random = new Random(seed);
        var (csv, rows) = RandomFile(random, 600 + random.Next(600));
        var seeded = Enumerable.Range(0, 60).Where(_ => random.Next(4) == 0).Select(i => $"c{i}@x.com").ToList();

        RunResult? reference = null;
        foreach (var batchSize in BatchSizes)
        {
            RunResult? oneThread = null;
            foreach (var workers in Workers)
            {
                var result = await RunAsync(csv, mode, workers, batchSize, Seeded(seeded));
                var because = $"{workers} workers, batches of {batchSize} (seed {seed})";
                if (reference is null)
                {
                    reference = result;
                    ShouldMatchModel(result, rows, seeded, mode);
                }
                else
                {
                    ShouldEqual(result, reference, because, sameBatchSize: false);
                }

                if (oneThread is null)
                {
                    oneThread = result;
                    result.Checkpoints.Should().NotBeEmpty();
                }
                else
                {
                    ShouldEqual(result, oneThread, because);
                }

                // A sink that completes later (as a database does): the next batch is converted while one is written.
                ShouldEqual(await RunAsync(csv, mode, workers, batchSize, Seeded(seeded), awaitingSink: true), oneThread, because + ", a sink that awaits");
            }
        }
    }

    /// <summary>The modes decided one row at a time in file order, as the user reads them.</summary>
    private static void ShouldMatchModel(RunResult result, List<ModelRow> rows, List<string> seeded, ImportMode mode)
    {
        var sink = seeded.ToDictionary(e => e, e => $"Seed|{e}|0");
        var order = new List<string>(seeded);
        int created = 0, updated = 0, skipped = 0, errors = 0;
        foreach (var row in rows)
        {
            if (row.Invalid)
            {
                errors++;
                continue;
            }

            if (row.Missing)
            {
                skipped++;
                continue;
            }

            var exists = sink.ContainsKey(row.Email!);
            if (mode == ImportMode.CreateOnly ? exists : mode == ImportMode.UpdateOnly && !exists)
            {
                skipped++;
                continue;
            }

            if (exists)
            {
                updated++;
            }
            else
            {
                created++;
                order.Add(row.Email!);
            }

            sink[row.Email!] = $"{row.Name}|{row.Email}|{row.Balance}";
        }

        result.Job.Status.Should().Be(ImportJobStatus.Completed, result.Job.Message);
        (result.Job.CreatedCount, result.Job.UpdatedCount, result.Job.SkippedCount, result.Job.ErrorCount, result.Job.TotalItems)
            .Should().Be((created, updated, skipped, errors, rows.Count));
        result.Records.Should().Equal(order.Select(e => sink[e]));
        var notImported = Encoding.UTF8.GetString(result.NotImported).TrimStart('\uFEFF');
        notImported.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length.Should().BeGreaterThanOrEqualTo(1 + skipped + errors, "a row with a line break in quotes spans two lines");
        result.Job.ErrorCount.Should().BeGreaterThan(0);
    }

    [Theory]
    [InlineData(2, 50, false)]
    [InlineData(4, 50, false)]
    [InlineData(1, 50, true)]
    [InlineData(2, 50, true)]
    [InlineData(2, 700, true)]
    [InlineData(4, 700, true)]
    public async Task Import_ChunksReusedManyTimes_EveryRowConvertedOnceAndWrittenInOrder(int workers, int batchSize, bool awaitingSink)
    {
        // Chunks go back to be read into while workers look for work, many times over; with a sink that awaits, while
        // the previous batch is being written too (batches of several chunks reuse a chunk in every fill).
        const int Rows = 30_000;
        using var file = new TempFile("Name,Email,Balance\n" + string.Concat(Enumerable.Range(0, Rows).Select(i => $"N{i},n{i}@x.com,{i}\n")));
        await using var input = file.Open();
        var sink = new ListSink();

        var job = await TestEngine.Customers(o => o.MaxDegreeOfParallelism = workers)
            .RunAsync(TestEngine.Csv(input, batchSize: batchSize), awaitingSink ? new AwaitingSink<Customer>(sink) : (ImportSink<Customer>)sink);

        job.CreatedCount.Should().Be(Rows, job.Message);
        var records = sink.Records;
        records.Should().HaveCount(Rows);
        records.Select((c, i) => c.Name == $"N{i}" && c.Balance == i).Should().AllBeEquivalentTo(true);
    }

    [Fact]
    public void TryClaim_ChunkBeingReadIntoAgain_IsRefusedUntilItIsQueued()
    {
        // A queue can still hold a chunk from its last use (the importing thread converted it without taking it from the
        // queue): a worker taking that stale entry while the chunk is read into again must not convert half its rows.
        var chunk = RowChunk.Rent(textOnly: true, keepSourceCells: false);
        chunk.MarkQueued();
        chunk.TryClaim().Should().BeTrue();
        chunk.Complete();

        chunk.Clear();

        chunk.TryClaim().Should().BeFalse("the chunk is being read into");
        chunk.MarkQueued();
        chunk.TryClaim().Should().BeTrue();
        chunk.TryClaim().Should().BeFalse("one thread converts a chunk");
        chunk.Complete();
        RowChunk.Return(chunk);
    }

    /// <summary>A sink that keeps what it is given, in order, and holds no key (so it costs nothing per batch).</summary>
    private sealed class ListSink : ImportSink<Customer>
    {
        private static readonly IReadOnlySet<ImportKey> None = new HashSet<ImportKey>();

        public List<Customer> Records { get; } = [];

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) => new(None);

        public override ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
        {
            Records.AddRange(batch.Select(w => w.Record));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Files whose data rows the converting threads cannot all parse in blocks cut by line breaks outside quotes: a quote
    /// inside an unquoted field (a literal to the reader, not to the cut), CR line ends, a bad byte, a quote left open at
    /// the end, a record longer than a block, the row limit. Where a block fails its check, one reader goes on from it.
    /// </summary>
    public static TheoryData<string> TextBlocksMayNotCut => ["literal quotes", "cr line ends", "bad byte", "open quote at the end", "record longer than a block", "row limit"];

    [Theory]
    [MemberData(nameof(TextBlocksMayNotCut))]
    public async Task Import_TextBlocksMayNotCut_EqualsOneThreadAtEveryWorkerCountAndBatchSize(string kind)
    {
        var file = BlockFile(kind);
        int? maxRows = kind == "row limit" ? 4000 : null;
        foreach (var batchSize in new[] { 1, 64, 1000 })
        {
            var oneThread = await RunAsync(file, ImportMode.CreateAndUpdate, workers: 1, batchSize, new InMemoryImportSink<Customer>(), maxRows: maxRows);
            switch (kind)
            {
                case "bad byte":
                    oneThread.Job.Status.Should().Be(ImportJobStatus.Failed);
                    oneThread.Job.Failure!.Row.Should().Be(5127, "data row 5001, after the header and 125 blank lines");
                    oneThread.Job.Failure.Column.Should().Be(2);
                    break;
                case "open quote at the end":
                    oneThread.Job.Status.Should().Be(ImportJobStatus.Failed);
                    oneThread.Job.Message.Should().Contain("a quoted field is not closed");
                    break;
                case "row limit":
                    oneThread.Job.Message.Should().StartWith("The file has more than 4,000 data rows");
                    break;
                default:
                    oneThread.Job.Status.Should().Be(ImportJobStatus.Completed);
                    oneThread.Job.TotalItems.Should().Be(6000);
                    break;
            }

            oneThread.Records.Should().NotBeEmpty();
            foreach (var workers in new[] { 2, 4 })
            {
                var result = await RunAsync(file, ImportMode.CreateAndUpdate, workers, batchSize, new InMemoryImportSink<Customer>(), maxRows: maxRows);
                ShouldEqual(result, oneThread, $"{kind}: {workers} workers, batches of {batchSize}");
            }
        }
    }

    [Fact]
    public async Task Import_OneReaderCannotGoOnWhereABlockFailed_FailsAtThatRowAndKeepsEachChunkOnce()
    {
        // The block holding the 2-million-char record fails its parse; the reader that goes on from there fails as it
        // opens (the record is over the limit). The chunks then go back for later imports once each: a chunk kept twice
        // would later serve two imports at once and mix their rows.
        var csv = "Name,Email,Balance\nAda,a@x.com,1\n" + new string('x', 2 * 1024 * 1024) + ",b@x.com,2\nCy,c@x.com,3\n";

        var parallel = await RunAsync(csv, ImportMode.CreateOnly, workers: 2, batchSize: 1000, new InMemoryImportSink<Customer>());
        var single = await RunAsync(csv, ImportMode.CreateOnly, workers: 1, batchSize: 1000, new InMemoryImportSink<Customer>());

        parallel.Job.Message.Should().StartWith("Row 3 is longer than the limit of 1,048,576 characters");
        ShouldEqual(parallel, single, "the reader's failure is where one thread meets it");
        RowChunk.SpareHoldsEachOnce().Should().BeTrue();
    }

    private static byte[] BlockFile(string kind)
    {
        var newLine = kind == "cr line ends" ? "\r" : "\n";
        var text = new StringBuilder("Name,Email,Balance" + newLine);
        // Past the first blocks, where a block is cut while others are converted: the file is read in 32K-char pieces.
        for (var i = 0; i < 6000; i++)
        {
            var name = (i % 50, i % 13, kind) switch
            {
                (7, _, "literal quotes") when i >= 3000 => $"N{i} 5\" pipe",
                (_, 3, _) => $"\"Two{(kind == "cr line ends" ? "\r\n" : "\n")}lines {i}\"",
                (_, 5, _) => $"\"Say \"\"hi\"\" {i}\"",
                _ when kind == "record longer than a block" && i == 3000 => new string('x', 40_000),
                _ => $"N{i}",
            };
            text.Append(name).Append(',').Append(i == 5000 && kind == "bad byte" ? "b\uFFFFd" : $"c{i % 97}@x.com").Append(',').Append(i % 11).Append(".5").Append(newLine);
            if (i % 40 == 0)
            {
                text.Append(newLine);
            }
        }

        if (kind == "open quote at the end")
        {
            text.Append("\"Open,o@x.com,1").Append(newLine);
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        if (kind == "bad byte")
        {
            // U+FFFF is three bytes in UTF-8 (EF BF BF): its first becomes a byte no UTF-8 text holds.
            var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("b\uFFFFd"));
            bytes[at + 1] = 0xFF;
        }

        return bytes;
    }

    [Fact]
    public async Task Import_MalformedRowDeepInTheFileWith4Workers_ImportsEveryRowBeforeItAndNamesTheRow()
    {
        var rows = string.Concat(Enumerable.Range(0, 3000).Select(i => $"N{i},n{i}@x.com,{i}\n"));
        var csv = "Name,Email,Balance\n" + rows + "\"Bad\"x,bad@x.com,1\n" + "After,after@x.com,2\n";

        var parallel = await RunAsync(csv, ImportMode.CreateOnly, workers: 4, batchSize: 1000, new InMemoryImportSink<Customer>());
        var single = await RunAsync(csv, ImportMode.CreateOnly, workers: 1, batchSize: 1000, new InMemoryImportSink<Customer>());

        parallel.Job.Status.Should().Be(ImportJobStatus.Failed);
        parallel.Job.Message.Should().StartWith("Row 3002: the CSV is malformed");
        parallel.Job.Failure!.Row.Should().Be(3002);
        parallel.Job.Failure.Column.Should().Be(1);
        parallel.Records.Should().HaveCount(3000);
        ShouldEqual(parallel, single, "a reader failure stops where it does on one thread");
    }

    [Fact]
    public async Task Import_CustomValidatorThrowsWith4Workers_FailsAtThatRowAfterTheRowsBeforeIt()
    {
        // A validator that throws is a bug of the host: the run fails as on one thread, with nothing of later rows written.
        async Task<(ImportJobDto Job, List<string> Records)> RunAsync(int workers)
        {
            var engine = TestEngine.Create(
                b => b.AddEntity<Customer>(e => e.Key(c => c.Email).Validate(c => c.Name == "N1500" ? throw new InvalidOperationException("boom") : [])),
                o => o.MaxDegreeOfParallelism = workers);
            using var file = new TempFile("Name,Email\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"N{i},n{i}@x.com\n")));
            await using var input = file.Open();
            var sink = new InMemoryImportSink<Customer>();
            var job = await engine.RunAsync(TestEngine.Csv(input, batchSize: 100), sink);
            return (job, [.. sink.Records.Select(Show)]);
        }

        var parallel = await RunAsync(4);
        var single = await RunAsync(1);

        parallel.Job.Status.Should().Be(ImportJobStatus.Failed);
        parallel.Job.Message.Should().StartWith("The import stopped unexpectedly");
        parallel.Records.Should().HaveCount(1500).And.Equal(single.Records);
        (parallel.Job.CreatedCount, parallel.Job.Status).Should().Be((single.Job.CreatedCount, single.Job.Status));
    }

    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task Import_ValidatorOn4Workers_SeesTheAsyncLocalStateOfTheImport()
    {
        var engine = TestEngine.Create(
            b => b.AddEntity<Customer>(e => e.Key(c => c.Email).Validate(c => Ambient.Value == "tenant 7" ? [] : [new ValidationProblem(null, "no tenant")])),
            o => o.MaxDegreeOfParallelism = 4);
        using var file = new TempFile("Name,Email\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"N{i},n{i}@x.com\n")));
        await using var input = file.Open();
        Ambient.Value = "tenant 7";

        var job = await engine.RunAsync(TestEngine.Csv(input), new ListSink());

        (job.CreatedCount, job.ErrorCount).Should().Be((5000, 0));
    }

    [Fact]
    public async Task Import_CancelledFromTheSinkWith4Workers_EndsCancelledKeepingTheBatchesWritten()
    {
        using var cancellation = new CancellationTokenSource();
        var sink = new CancellingSink(cancellation, afterBatches: 3);
        using var file = new TempFile("Name,Email,Balance\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"N{i},n{i}@x.com,{i}\n")));
        await using var input = file.Open();
        var engine = TestEngine.Customers(o => o.MaxDegreeOfParallelism = 4);

        var job = await engine.RunAsync(TestEngine.Csv(input, batchSize: 100), sink, cancellationToken: cancellation.Token);

        job.Status.Should().Be(ImportJobStatus.Cancelled);
        job.CreatedCount.Should().Be(300);
        sink.Records.Select(c => c.Name).Should().Equal(Enumerable.Range(0, 300).Select(i => $"N{i}"));
    }

    /// <summary>
    /// A sink whose calls complete later, on another thread, as a database's do (an in-memory sink completes at once):
    /// the engine then reads and converts the next batch while one is written.
    /// </summary>
    private sealed class AwaitingSink<TRecord>(ImportSink<TRecord> inner) : ImportSink<TRecord>
        where TRecord : class
    {
        public override async ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return await inner.FindExistingAsync(keys, cancellationToken);
        }

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<TRecord>> batch, CancellationToken cancellationToken)
        {
            await Task.Yield();

            // Slower than reading a batch, so the next fill is under way or done while this write runs.
            Thread.Sleep(1);
            await inner.WriteAsync(batch, cancellationToken);
        }
    }

    /// <summary>A sink that cancels the run once it has written some batches, so the test needs no timing.</summary>
    private sealed class CancellingSink(CancellationTokenSource cancellation, int afterBatches) : ImportSink<Customer>
    {
        private readonly InMemoryImportSink<Customer> _inner = new();

        public IReadOnlyList<Customer> Records => _inner.Records;

        public override ValueTask<IReadOnlySet<ImportKey>> FindExistingAsync(IReadOnlyList<ImportKey> keys, CancellationToken cancellationToken) =>
            _inner.FindExistingAsync(keys, cancellationToken);

        public override async ValueTask WriteAsync(IReadOnlyList<ImportWrite<Customer>> batch, CancellationToken cancellationToken)
        {
            await _inner.WriteAsync(batch, cancellationToken);
            if (_inner.BatchesWritten == afterBatches)
            {
                await cancellation.CancelAsync();
            }
        }
    }

    [Theory]
    [InlineData(ImportMode.CreateOnly)]
    [InlineData(ImportMode.CreateAndUpdate)]
    public async Task Import_ResumedFromACheckpointWith4Workers_EqualsTheOneThreadRun(ImportMode mode)
    {
        var random = new Random(11);
        var (csv, _) = RandomFile(random, 2000);
        string[] seeded = ["c1@x.com", "c2@x.com", "c30@x.com"];

        // One thread, whole file: keep the sixth checkpoint (each batch saves its decisions, then its commit: this is
        // the third batch's commit) and what the sink held then.
        ImportJobCheckpoint? checkpoint = null;
        List<(Customer Record, string Email)>? held = null;
        var checkpoints = 0;
        var whole = await RunAsync(csv, mode, workers: 1, batchSize: 150, Seeded(seeded), onCheckpoint: (c, sink) =>
        {
            if (++checkpoints == 6)
            {
                checkpoint = c;
                held = [.. sink.Records.Select(r => (new Customer { Name = r.Name, Email = r.Email, Balance = r.Balance }, r.Email!))];
            }
        });
        checkpoint.Should().NotBeNull();
        checkpoint!.LastRow.Should().BeGreaterThan(450);
        checkpoint.PendingDecisions.Should().BeEmpty();

        var results = new List<RunResult>();
        foreach (var workers in Workers)
        {
            var sink = new InMemoryImportSink<Customer>();
            foreach (var (record, email) in held!)
            {
                sink.Seed(new Customer { Name = record.Name, Email = record.Email, Balance = record.Balance }, new ImportKey(email));
            }

            var notImportedBefore = whole.NotImported[..(int)checkpoint.NotImportedBytes];
            results.Add(await RunAsync(csv, mode, workers, batchSize: 150, sink, resume: checkpoint, notImportedBefore: notImportedBefore));
        }

        foreach (var (result, workers) in results.Zip(Workers))
        {
            result.Job.Status.Should().Be(ImportJobStatus.Completed);
            (result.Job.CreatedCount, result.Job.UpdatedCount, result.Job.SkippedCount, result.Job.ErrorCount)
                .Should().Be((whole.Job.CreatedCount, whole.Job.UpdatedCount, whole.Job.SkippedCount, whole.Job.ErrorCount), $"{workers} workers");
            result.Records.Should().Equal(whole.Records, $"{workers} workers");
            result.NotImported.Should().Equal(whole.NotImported, $"{workers} workers");
            result.Checkpoints.Should().Equal(whole.Checkpoints.Skip(6), $"{workers} workers");
            result.Job.Errors.Should().Equal(results[0].Job.Errors, $"{workers} workers");
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Import_XlsxWithTypedCellsOnSeveralWorkers_EqualsOneThread(int workers)
    {
        var rows = new List<string> { X.Row(1, X.Inline("A1", "Name"), X.Inline("B1", "Email"), X.Inline("C1", "Balance"), X.Inline("D1", "Born"), X.Inline("E1", "Joined"), X.Inline("F1", "Active"), X.Inline("G1", "Tier")) };
        var random = new Random(5);
        for (var r = 2; r < 1500; r++)
        {
            var cells = new List<string>
            {
                random.Next(25) == 0 ? X.N($"A{r}", "12") : X.Inline($"A{r}", random.Next(30) == 0 ? "" : $"N{r}"),
                X.Inline($"B{r}", $"c{random.Next(400)}@x.com"),
                random.Next(20) == 0 ? X.Inline($"C{r}", "n/a") : random.Next(20) == 0 ? X.E($"C{r}", "#DIV/0!") : X.N($"C{r}", (random.Next(100_000) / 100.0).ToString(CultureInfo.InvariantCulture)),
                random.Next(15) == 0 ? X.Inline($"D{r}", "not a date") : X.N($"D{r}", (40_000 + random.Next(5000)).ToString(CultureInfo.InvariantCulture), 1),
                X.N($"E{r}", (45_000 + random.Next(1000) + 0.25).ToString(CultureInfo.InvariantCulture), 2),
                X.B($"F{r}", random.Next(2) == 0),
                X.Inline($"G{r}", random.Next(10) == 0 ? "Bronze" : "Gold"),
            };
            rows.Add(X.Row(r, [.. cells]));
        }

        var workbook = new TestXlsx().Styles([0, 14, 22]).Sheet("Customers", [.. rows]).Build();

        async Task<(ImportJobDto Job, List<string> Records, byte[] NotImported)> ImportAsync(int degree, int batchSize)
        {
            using var file = new TempFile(workbook, ".xlsx");
            await using var input = file.Open();
            using var output = new MemoryStream();
            var sink = new InMemoryImportSink<ImportRecord>();
            var request = new ImportRequest { Entity = "Customer", FileType = "xlsx", File = input, BatchSize = batchSize, NotImportedOutput = output, Mode = ImportMode.CreateAndUpdate, TimezoneOffset = 60 };
            var job = await TestEngine.Dynamic(o => o.MaxDegreeOfParallelism = degree).RunAsync(request, sink);
            return (job, [.. sink.Records.Select(r => string.Join("|", r.Entity.Properties.Select(p => r[p.Name])))], output.ToArray());
        }

        var single = await ImportAsync(1, 1000);
        single.Job.Status.Should().Be(ImportJobStatus.Completed, single.Job.Message);
        single.Job.ErrorCount.Should().BeGreaterThan(50);
        single.Job.UpdatedCount.Should().BeGreaterThan(50);
        foreach (var batchSize in new[] { 1, 64, 1000 })
        {
            var parallel = await ImportAsync(workers, batchSize);
            (parallel.Job.CreatedCount, parallel.Job.UpdatedCount, parallel.Job.SkippedCount, parallel.Job.ErrorCount)
                .Should().Be((single.Job.CreatedCount, single.Job.UpdatedCount, single.Job.SkippedCount, single.Job.ErrorCount));
            parallel.Records.Should().Equal(single.Records);
            parallel.Job.Errors.Should().Equal(single.Job.Errors);
            parallel.NotImported.Should().Equal(single.NotImported);
        }
    }
}
