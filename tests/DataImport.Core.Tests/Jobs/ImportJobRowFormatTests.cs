using System.Text.Json;

namespace DataImport.Tests.Jobs;

public sealed class ImportJobRowFormatTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static ImportJobDto Job() => new()
    {
        Id = "job-1",
        Entity = "Customer",
        Domain = "acme",
        Status = ImportJobStatus.Completed,
        Progress = 100,
        Message = "Row 3: the CSV is malformed.",
        Failure = new ImportProblem { Code = ImportProblemCodes.InvalidFile, Row = 3, Column = 2, Message = "Row 3: the CSV is malformed." },
        FileName = "customers.csv",
        TotalItems = 2,
        CreatedCount = 1,
        ErrorCount = 1,
        Errors = [new ImportRowError { Row = 3, Column = 2, Property = "Email", Code = ImportProblemCodes.InvalidValue, Message = "bad", Outcome = RowOutcome.Error }],
        NotImportedDownloadUrl = "/api/v1/job/job-1/not-imported?sig=x",
        Payload = new ImportJobPayload { Entity = "Customer", Type = "csv", Mapping = new Dictionary<string, string> { ["1"] = "Name" }, Mode = ImportMode.CreateAndUpdate, HasHeaderRow = true, BatchSize = 500, Locale = "de-DE", TimezoneOffset = 60 },
        Output = new ImportJobOutput { ImportedCount = 1, FailedCount = 1, CreatedCount = 1, ErrorCount = 1, TotalItems = 2 },
        CreatedDate = At,
        StartedDate = At.AddSeconds(1),
        CompletedDate = At.AddSeconds(5),
        UpdatedAt = At.AddSeconds(5),
        LastHeartbeat = At.AddSeconds(4),
    };

    [Fact]
    public void WriteJob_ThenReadJob_GivesTheSameJob()
    {
        var job = Job();

        var read = ImportJobRowFormat.ReadJob(ImportJobRowFormat.WriteJob(job));

        read.Should().BeEquivalentTo(job);
    }

    [Fact]
    public void WriteJob_UsesTheFormatsOwnVersionedNames()
    {
        using var row = JsonDocument.Parse(ImportJobRowFormat.WriteJob(Job()));

        var root = row.RootElement;
        root.GetProperty("v").GetInt32().Should().Be(1);
        root.GetProperty("status").GetInt32().Should().Be((int)ImportJobStatus.Completed);
        root.GetProperty("errors")[0].GetProperty("code").GetString().Should().Be("invalid_value");
        root.GetProperty("payload").GetProperty("mode").GetInt32().Should().Be((int)ImportMode.CreateAndUpdate);
        // Computed DTO properties are not stored: they follow from the stored ones.
        root.TryGetProperty("processedItems", out _).Should().BeFalse();
        root.TryGetProperty("code", out _).Should().BeFalse();
    }

    [Fact]
    public void ReadJob_RowStoredAsTheDtoBeforeTheFormatHadAVersion_StillReads()
    {
        // Before the row format, stores wrote the DTO's own JSON (web defaults), and row errors had no code.
        var legacy = JsonSerializer.Serialize(Job(), JsonSerializerOptions.Web);
        legacy = legacy.Replace("\"code\":\"invalid_value\",", string.Empty, StringComparison.Ordinal);

        var read = ImportJobRowFormat.ReadJob(legacy);

        read.Should().BeEquivalentTo(Job());
    }

    [Fact]
    public void ReadCheckpoint_WrittenCheckpoint_RoundTrips()
    {
        var checkpoint = new ImportJobCheckpoint { LastRow = 11, Created = 10, Errors = 1, TotalItems = 30, NotImportedBytes = 42, RowErrors = Job().Errors, Attempt = 2 };

        var read = ImportJobRowFormat.ReadCheckpoint(ImportJobRowFormat.WriteCheckpoint(checkpoint));

        read.Should().BeEquivalentTo(checkpoint);
    }

    [Fact]
    public void ReadCheckpoint_PendingDecisionsSavedInTheSinksTransaction_KeepTheirWrittenMark()
    {
        var checkpoint = new ImportJobCheckpoint
        {
            LastRow = 21,
            Created = 20,
            PendingDecisions = [new ImportRowDecision { Row = 22, Outcome = RowOutcome.Created }, new ImportRowDecision { Row = 23, Outcome = RowOutcome.Skipped }],
            PendingWritten = true,
        };

        var written = ImportJobRowFormat.WriteCheckpoint(checkpoint);
        var read = ImportJobRowFormat.ReadCheckpoint(written);

        read.Should().BeEquivalentTo(checkpoint);
        written.Should().Contain("\"pendingWritten\":true");
        ImportJobRowFormat.ReadCheckpoint(ImportJobRowFormat.WriteCheckpoint(new ImportJobCheckpoint { LastRow = 1 })).PendingWritten.Should().BeFalse();
    }

    [Fact]
    public void ReadJob_NewerVersion_SaysToUpgrade()
    {
        var act = () => ImportJobRowFormat.ReadJob("""{"v":2,"id":"x","entity":"Customer"}""");

        act.Should().Throw<InvalidDataException>().WithMessage("*version 2*Upgrade DataImport*");
    }
}
