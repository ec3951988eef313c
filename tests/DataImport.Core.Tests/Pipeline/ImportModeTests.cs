namespace DataImport.Tests.Pipeline;

public sealed class ImportModeTests
{
    private const string Header = "Name,Email,Balance\n";

    private static InMemoryImportSink<Customer> SinkWith(params (string Name, string Email, decimal Balance)[] existing)
    {
        var sink = new InMemoryImportSink<Customer>();
        foreach (var (name, email, balance) in existing)
        {
            sink.Seed(new Customer { Name = name, Email = email, Balance = balance }, new ImportKey(email));
        }

        return sink;
    }

    [Fact]
    public async Task Import_CreateOnlyWithExistingKey_SkipsAsAlreadyExists()
    {
        var sink = SinkWith(("Old", "a@x.com", 1m));
        var (job, _, notImported) = await TestEngine.ImportCustomersAsync(Header + "Ada,a@x.com,5\nBob,b@x.com,6\n", ImportMode.CreateOnly, sink: sink);

        job.CreatedCount.Should().Be(1);
        job.SkippedCount.Should().Be(1);
        sink.Find(new ImportKey("a@x.com"))!.Name.Should().Be("Old");
        job.Errors.Should().ContainSingle().Which.Should().Match<ImportRowError>(e => e.Row == 2 && e.Outcome == RowOutcome.Skipped && e.Message.Contains("already exists"));
        notImported.Should().Be("Name,Email,Balance,Row,Reason\r\nAda,a@x.com,5,2,already exists: a record with Email = a@x.com is already there\r\n");
    }

    [Fact]
    public async Task Import_UpdateOnlyWithoutMatch_SkipsAsNoMatchingRecord()
    {
        var sink = SinkWith(("Old", "a@x.com", 1m));
        var (job, _, _) = await TestEngine.ImportCustomersAsync(Header + "Ada,a@x.com,5\nBob,b@x.com,6\n", ImportMode.UpdateOnly, sink: sink);

        job.UpdatedCount.Should().Be(1);
        job.SkippedCount.Should().Be(1);
        job.Errors.Single().Message.Should().StartWith("no matching record with Email = b@x.com");
        sink.Records.Should().ContainSingle().Which.Balance.Should().Be(5m);
        sink.Records.Single().Name.Should().Be("Ada");
    }

    [Fact]
    public async Task Import_CreateAndUpdate_UpdatesMatchesAndCreatesTheRest()
    {
        var sink = SinkWith(("Old", "a@x.com", 1m));
        var (job, _, _) = await TestEngine.ImportCustomersAsync(Header + "Ada,a@x.com,5\nBob,b@x.com,6\n", ImportMode.CreateAndUpdate, sink: sink);

        job.UpdatedCount.Should().Be(1);
        job.CreatedCount.Should().Be(1);
        job.ImportedCount.Should().Be(2);
        sink.Records.Select(c => (c.Name, c.Balance)).Should().Equal(("Ada", 5m), ("Bob", 6m));
    }

    [Fact]
    public async Task Import_DuplicateKeyInFileCreateAndUpdate_UpdatesTheRecordTheFirstRowCreated()
    {
        var (job, sink, _) = await TestEngine.ImportCustomersAsync(Header + "Ada,a@x.com,1\nAda2,a@x.com,2\nAda3,a@x.com,3\n", ImportMode.CreateAndUpdate);

        job.CreatedCount.Should().Be(1);
        job.UpdatedCount.Should().Be(2);
        sink.Records.Should().ContainSingle().Which.Should().Match<Customer>(c => c.Name == "Ada3" && c.Balance == 3m);
    }

    [Fact]
    public async Task Import_DuplicateKeyInFileCreateOnly_SkipsLaterRows()
    {
        var (job, sink, _) = await TestEngine.ImportCustomersAsync(Header + "Ada,a@x.com,1\nAda2,a@x.com,2\n", ImportMode.CreateOnly);

        job.CreatedCount.Should().Be(1);
        job.SkippedCount.Should().Be(1);
        sink.Records.Single().Name.Should().Be("Ada");
    }

    [Fact]
    public async Task Import_DuplicateKeyInFileUpdateOnly_NeverCreates()
    {
        var (job, sink, _) = await TestEngine.ImportCustomersAsync(Header + "Ada,a@x.com,1\nAda2,a@x.com,2\n", ImportMode.UpdateOnly);

        job.SkippedCount.Should().Be(2);
        sink.Records.Should().BeEmpty();
    }

    [Fact]
    public async Task Import_UpdateOfSomeColumns_KeepsUnmappedValues()
    {
        var sink = SinkWith(("Old", "a@x.com", 1m));
        var mapping = TestEngine.Map("", "Email", "Balance");
        var (job, _, _) = await TestEngine.ImportCustomersAsync(Header + "Ignored,a@x.com,9\n", ImportMode.UpdateOnly, sink: sink, mapping: mapping);

        job.UpdatedCount.Should().Be(1, job.Message);
        sink.Records.Single().Should().Match<Customer>(c => c.Name == "Old" && c.Balance == 9m);
    }

    [Fact]
    public async Task Start_UpdateOnlyOnEntityWithoutKey_IsRejectedAtOnce()
    {
        var engine = TestEngine.Create(b => b.AddEntity(new EntitySchemaBuilder("Note").Property("Text", PropertyType.String).Build()));
        using var file = new TempFile("Text\nhello\n");
        await using var input = file.Open();

        var act = () => engine.RunAsync(TestEngine.Csv(input, entity: "Note", mode: ImportMode.UpdateOnly), new InMemoryImportSink<ImportRecord>());

        (await act.Should().ThrowAsync<ImportValidationException>()).Which.Problems.Select(p => p.Message).Should().ContainSingle()
            .Which.Should().Contain("needs a key").And.Contain("CreateOnly");
    }

    [Theory]
    [InlineData(ImportMode.CreateOnly)]
    [InlineData(ImportMode.UpdateOnly)]
    [InlineData(ImportMode.CreateAndUpdate)]
    public async Task Import_BatchSizes1And7And1000_GiveIdenticalOutcomesRecordsAndNotImportedFile(ImportMode mode)
    {
        var lines = new List<string> { "Name,Email,Balance" };
        for (var i = 0; i < 60; i++)
        {
            // Repeated keys, bad numbers, missing names and existing records spread across batch boundaries.
            var email = $"c{i % 17}@x.com";
            var name = i % 11 == 0 ? "" : $"N{i}";
            var balance = i % 9 == 0 ? "abc" : (i * 1.5m).ToString(System.Globalization.CultureInfo.InvariantCulture);
            lines.Add($"{name},{email},{balance}");
            if (i % 13 == 0)
            {
                lines.Add(string.Empty);
            }
        }

        var csv = string.Join("\n", lines) + "\n";
        var results = new List<(ImportJobDto Job, string Records, string NotImported)>();
        foreach (var batch in new[] { 1, 7, 1000 })
        {
            var sink = SinkWith(("Seed", "c3@x.com", 0m), ("Seed", "c5@x.com", 0m));
            var (job, _, notImported) = await TestEngine.ImportCustomersAsync(csv, mode, batch, sink);
            job.Status.Should().Be(ImportJobStatus.Completed);
            results.Add((job, string.Join("|", sink.Records.Select(c => $"{c.Name}/{c.Email}/{c.Balance}")), notImported));
        }

        results.Select(r => (r.Job.CreatedCount, r.Job.UpdatedCount, r.Job.SkippedCount, r.Job.ErrorCount, r.Job.TotalItems)).Distinct().Should().ContainSingle();
        results.Select(r => r.Records).Distinct().Should().ContainSingle();
        results.Select(r => r.NotImported).Distinct().Should().ContainSingle();
        results[0].Job.ProcessedItems.Should().Be(60);
        results[0].Job.TotalItems.Should().Be(60);
    }

    [Fact]
    public async Task Import_RowErrors_CarryAStableCodePerReason()
    {
        var sink = SinkWith(("Old", "a@x.com", 1m));
        var (job, _, _) = await TestEngine.ImportCustomersAsync(Header + "Ada,a@x.com,5\nBob,b@x.com,x\n,c@x.com,1\n", ImportMode.CreateOnly, sink: sink);

        job.Errors.Select(e => (e.Row, e.Code)).Should().Equal(
            (2, ImportProblemCodes.AlreadyExists),
            (3, ImportProblemCodes.InvalidValue),
            (4, ImportProblemCodes.ValueRequired));
    }
}
