using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataImport;

/// <summary>
/// The format job stores persist a job and its checkpoint in: versioned JSON whose field names belong to the format,
/// not to <see cref="ImportJobDto"/>, so renaming or adding a DTO property never breaks a job stored before.
/// </summary>
/// <remarks>
/// Version 1 (the <c>v</c> field) uses the names the stores wrote before the format had a version, so rows without
/// <c>v</c> read as version 1; row errors stored before they had codes read with <see cref="ImportProblemCodes.InvalidValue"/>.
/// Enum values are stored as their numbers, which never change. A store for a new database writes with
/// <see cref="WriteJob"/> and <see cref="WriteCheckpoint"/> and reads with <see cref="ReadJob"/> and <see cref="ReadCheckpoint"/>.
/// </remarks>
public static class ImportJobRowFormat
{
    /// <summary>The version this library writes.</summary>
    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes a job as a stored row.</summary>
    /// <param name="job">The job.</param>
    /// <returns>The row's JSON.</returns>
    public static string WriteJob(ImportJobDto job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return JsonSerializer.Serialize(JobV1.From(job), Json);
    }

    /// <summary>Reads a job from a stored row.</summary>
    /// <param name="json">The row's JSON, as <see cref="WriteJob"/> wrote it (or an earlier version).</param>
    /// <returns>The job.</returns>
    /// <exception cref="InvalidDataException">The row is not a job, or of a version this library does not know.</exception>
    public static ImportJobDto ReadJob(string json) => Read<JobV1>(json).ToDto();

    /// <summary>Writes a checkpoint as a stored row.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <returns>The row's JSON.</returns>
    public static string WriteCheckpoint(ImportJobCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return JsonSerializer.Serialize(CheckpointV1.From(checkpoint), Json);
    }

    /// <summary>Reads a checkpoint from a stored row.</summary>
    /// <param name="json">The row's JSON, as <see cref="WriteCheckpoint"/> wrote it (or an earlier version).</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="InvalidDataException">The row is not a checkpoint, or of a version this library does not know.</exception>
    public static ImportJobCheckpoint ReadCheckpoint(string json) => Read<CheckpointV1>(json).ToCheckpoint();

    private static T Read<T>(string json)
        where T : IVersioned
    {
        ArgumentNullException.ThrowIfNull(json);
        T? row;
        try
        {
            row = JsonSerializer.Deserialize<T>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"A stored job row is not valid: {ex.Message}", ex);
        }

        if (row is null)
        {
            throw new InvalidDataException("A stored job row is empty.");
        }

        if ((row.V ?? 1) > Version)
        {
            throw new InvalidDataException($"A stored job row has format version {row.V}; this version of DataImport reads up to {Version}. Upgrade DataImport on every host that shares the store.");
        }

        return row;
    }

    private interface IVersioned
    {
        int? V { get; }
    }

    private sealed class JobV1 : IVersioned
    {
        [JsonPropertyName("v")] public int? V { get; set; }
        [JsonPropertyName("id")] public string Id { get; set; } = string.Empty;
        [JsonPropertyName("entity")] public string Entity { get; set; } = string.Empty;
        [JsonPropertyName("domain")] public string? Domain { get; set; }
        [JsonPropertyName("status")] public int Status { get; set; }
        [JsonPropertyName("progress")] public int Progress { get; set; }
        [JsonPropertyName("message")] public string? Message { get; set; }
        [JsonPropertyName("failure")] public ProblemV1? Failure { get; set; }
        [JsonPropertyName("fileName")] public string? FileName { get; set; }
        [JsonPropertyName("totalItems")] public int? TotalItems { get; set; }
        [JsonPropertyName("createdCount")] public int CreatedCount { get; set; }
        [JsonPropertyName("updatedCount")] public int UpdatedCount { get; set; }
        [JsonPropertyName("skippedCount")] public int SkippedCount { get; set; }
        [JsonPropertyName("errorCount")] public int ErrorCount { get; set; }
        [JsonPropertyName("errors")] public List<RowErrorV1>? Errors { get; set; }
        [JsonPropertyName("notImportedDownloadUrl")] public string? NotImportedDownloadUrl { get; set; }
        [JsonPropertyName("payload")] public PayloadV1? Payload { get; set; }
        [JsonPropertyName("output")] public OutputV1? Output { get; set; }
        [JsonPropertyName("createdDate")] public DateTimeOffset CreatedDate { get; set; }
        [JsonPropertyName("startedDate")] public DateTimeOffset? StartedDate { get; set; }
        [JsonPropertyName("completedDate")] public DateTimeOffset? CompletedDate { get; set; }
        [JsonPropertyName("updatedAt")] public DateTimeOffset UpdatedAt { get; set; }
        [JsonPropertyName("lastHeartbeat")] public DateTimeOffset? LastHeartbeat { get; set; }

        public static JobV1 From(ImportJobDto job) => new()
        {
            V = Version,
            Id = job.Id,
            Entity = job.Entity,
            Domain = job.Domain,
            Status = (int)job.Status,
            Progress = job.Progress,
            Message = job.Message,
            Failure = job.Failure is { } failure ? ProblemV1.From(failure) : null,
            FileName = job.FileName,
            TotalItems = job.TotalItems,
            CreatedCount = job.CreatedCount,
            UpdatedCount = job.UpdatedCount,
            SkippedCount = job.SkippedCount,
            ErrorCount = job.ErrorCount,
            Errors = [.. job.Errors.Select(RowErrorV1.From)],
            NotImportedDownloadUrl = job.NotImportedDownloadUrl,
            Payload = job.Payload is { } payload ? PayloadV1.From(payload) : null,
            Output = job.Output is { } output ? OutputV1.From(output) : null,
            CreatedDate = job.CreatedDate,
            StartedDate = job.StartedDate,
            CompletedDate = job.CompletedDate,
            UpdatedAt = job.UpdatedAt,
            LastHeartbeat = job.LastHeartbeat,
        };

        public ImportJobDto ToDto() => new()
        {
            Id = Id,
            Entity = Entity,
            Domain = Domain,
            Status = (ImportJobStatus)Status,
            Progress = Progress,
            Message = Message,
            Failure = Failure?.ToProblem(),
            FileName = FileName,
            TotalItems = TotalItems,
            CreatedCount = CreatedCount,
            UpdatedCount = UpdatedCount,
            SkippedCount = SkippedCount,
            ErrorCount = ErrorCount,
            Errors = [.. (Errors ?? []).Select(e => e.ToRowError())],
            NotImportedDownloadUrl = NotImportedDownloadUrl,
            Payload = Payload?.ToPayload(),
            Output = Output?.ToOutput(),
            CreatedDate = CreatedDate,
            StartedDate = StartedDate,
            CompletedDate = CompletedDate,
            UpdatedAt = UpdatedAt,
            LastHeartbeat = LastHeartbeat,
        };
    }

    private sealed class RowErrorV1
    {
        [JsonPropertyName("row")] public int Row { get; set; }
        [JsonPropertyName("column")] public int? Column { get; set; }
        [JsonPropertyName("property")] public string? Property { get; set; }
        [JsonPropertyName("code")] public string? Code { get; set; }
        [JsonPropertyName("message")] public string Message { get; set; } = string.Empty;
        [JsonPropertyName("outcome")] public int Outcome { get; set; }

        public static RowErrorV1 From(ImportRowError error) => new()
        {
            Row = error.Row ?? 0,
            Column = error.Column,
            Property = error.Property,
            Code = error.Code,
            Message = error.Message,
            Outcome = (int)error.Outcome,
        };

        public ImportRowError ToRowError() => new()
        {
            Row = Row,
            Column = Column,
            Property = Property,
            Code = Code ?? ImportProblemCodes.InvalidValue,
            Message = Message,
            Outcome = (RowOutcome)Outcome,
        };
    }

    private sealed class ProblemV1
    {
        [JsonPropertyName("code")] public string Code { get; set; } = string.Empty;
        [JsonPropertyName("message")] public string Message { get; set; } = string.Empty;
        [JsonPropertyName("field")] public string? Field { get; set; }
        [JsonPropertyName("row")] public int? Row { get; set; }
        [JsonPropertyName("column")] public int? Column { get; set; }
        [JsonPropertyName("property")] public string? Property { get; set; }

        public static ProblemV1 From(ImportProblem problem) => new()
        {
            Code = problem.Code,
            Message = problem.Message,
            Field = problem.Field,
            Row = problem.Row,
            Column = problem.Column,
            Property = problem.Property,
        };

        public ImportProblem ToProblem() => new() { Code = Code, Message = Message, Field = Field, Row = Row, Column = Column, Property = Property };
    }

    private sealed class PayloadV1
    {
        [JsonPropertyName("entity")] public string Entity { get; set; } = string.Empty;
        [JsonPropertyName("type")] public string Type { get; set; } = string.Empty;
        [JsonPropertyName("fileName")] public string? FileName { get; set; }
        [JsonPropertyName("mapping")] public Dictionary<string, string>? Mapping { get; set; }
        [JsonPropertyName("locale")] public string? Locale { get; set; }
        [JsonPropertyName("timezoneOffset")] public int TimezoneOffset { get; set; }
        [JsonPropertyName("mode")] public int Mode { get; set; }
        [JsonPropertyName("sheet")] public string? Sheet { get; set; }
        [JsonPropertyName("hasHeaderRow")] public bool HasHeaderRow { get; set; }
        [JsonPropertyName("delimiter")] public string? Delimiter { get; set; }
        [JsonPropertyName("encoding")] public string? Encoding { get; set; }
        [JsonPropertyName("dryRun")] public bool DryRun { get; set; }
        [JsonPropertyName("errorBudget")] public int? ErrorBudget { get; set; }
        [JsonPropertyName("batchSize")] public int BatchSize { get; set; }
        [JsonPropertyName("neutraliseSourceFormulas")] public bool NeutraliseSourceFormulas { get; set; }

        public static PayloadV1 From(ImportJobPayload payload) => new()
        {
            Entity = payload.Entity,
            Type = payload.Type,
            FileName = payload.FileName,
            Mapping = payload.Mapping?.ToDictionary(),
            Locale = payload.Locale,
            TimezoneOffset = payload.TimezoneOffset,
            Mode = (int)payload.Mode,
            Sheet = payload.Sheet,
            HasHeaderRow = payload.HasHeaderRow,
            Delimiter = payload.Delimiter,
            Encoding = payload.Encoding,
            DryRun = payload.DryRun,
            ErrorBudget = payload.ErrorBudget,
            BatchSize = payload.BatchSize,
            NeutraliseSourceFormulas = payload.NeutraliseSourceFormulas,
        };

        public ImportJobPayload ToPayload() => new()
        {
            Entity = Entity,
            Type = Type,
            FileName = FileName,
            Mapping = Mapping,
            Locale = Locale,
            TimezoneOffset = TimezoneOffset,
            Mode = (ImportMode)Mode,
            Sheet = Sheet,
            HasHeaderRow = HasHeaderRow,
            Delimiter = Delimiter,
            Encoding = Encoding,
            DryRun = DryRun,
            ErrorBudget = ErrorBudget,
            BatchSize = BatchSize,
            NeutraliseSourceFormulas = NeutraliseSourceFormulas,
        };
    }

    private sealed class OutputV1
    {
        [JsonPropertyName("importedCount")] public int ImportedCount { get; set; }
        [JsonPropertyName("failedCount")] public int FailedCount { get; set; }
        [JsonPropertyName("createdCount")] public int CreatedCount { get; set; }
        [JsonPropertyName("updatedCount")] public int UpdatedCount { get; set; }
        [JsonPropertyName("skippedCount")] public int SkippedCount { get; set; }
        [JsonPropertyName("errorCount")] public int ErrorCount { get; set; }
        [JsonPropertyName("totalItems")] public int? TotalItems { get; set; }
        [JsonPropertyName("dryRun")] public bool DryRun { get; set; }

        public static OutputV1 From(ImportJobOutput output) => new()
        {
            ImportedCount = output.ImportedCount,
            FailedCount = output.FailedCount,
            CreatedCount = output.CreatedCount,
            UpdatedCount = output.UpdatedCount,
            SkippedCount = output.SkippedCount,
            ErrorCount = output.ErrorCount,
            TotalItems = output.TotalItems,
            DryRun = output.DryRun,
        };

        public ImportJobOutput ToOutput() => new()
        {
            ImportedCount = ImportedCount,
            FailedCount = FailedCount,
            CreatedCount = CreatedCount,
            UpdatedCount = UpdatedCount,
            SkippedCount = SkippedCount,
            ErrorCount = ErrorCount,
            TotalItems = TotalItems,
            DryRun = DryRun,
        };
    }

    private sealed class CheckpointV1 : IVersioned
    {
        [JsonPropertyName("v")] public int? V { get; set; }
        [JsonPropertyName("lastRow")] public int LastRow { get; set; }
        [JsonPropertyName("created")] public int Created { get; set; }
        [JsonPropertyName("updated")] public int Updated { get; set; }
        [JsonPropertyName("skipped")] public int Skipped { get; set; }
        [JsonPropertyName("errors")] public int Errors { get; set; }
        [JsonPropertyName("totalItems")] public int? TotalItems { get; set; }
        [JsonPropertyName("notImportedBytes")] public long NotImportedBytes { get; set; }
        [JsonPropertyName("rowErrors")] public List<RowErrorV1>? RowErrors { get; set; }
        [JsonPropertyName("pending")] public List<DecisionV1>? Pending { get; set; }
        [JsonPropertyName("attempt")] public int? Attempt { get; set; }
        [JsonPropertyName("pendingWritten")] public bool? PendingWritten { get; set; }

        public static CheckpointV1 From(ImportJobCheckpoint checkpoint) => new()
        {
            V = Version,
            LastRow = checkpoint.LastRow,
            Created = checkpoint.Created,
            Updated = checkpoint.Updated,
            Skipped = checkpoint.Skipped,
            Errors = checkpoint.Errors,
            TotalItems = checkpoint.TotalItems,
            NotImportedBytes = checkpoint.NotImportedBytes,
            RowErrors = [.. checkpoint.RowErrors.Select(RowErrorV1.From)],
            Pending = checkpoint.PendingDecisions.Count == 0 ? null : [.. checkpoint.PendingDecisions.Select(d => new DecisionV1 { Row = d.Row, Outcome = (int)d.Outcome })],
            Attempt = checkpoint.Attempt == 0 ? null : checkpoint.Attempt,
            PendingWritten = checkpoint.PendingWritten ? true : null,
        };

        public ImportJobCheckpoint ToCheckpoint() => new()
        {
            LastRow = LastRow,
            Created = Created,
            Updated = Updated,
            Skipped = Skipped,
            Errors = Errors,
            TotalItems = TotalItems,
            NotImportedBytes = NotImportedBytes,
            RowErrors = [.. (RowErrors ?? []).Select(e => e.ToRowError())],
            PendingDecisions = [.. (Pending ?? []).Select(d => new ImportRowDecision { Row = d.Row, Outcome = (RowOutcome)d.Outcome })],
            Attempt = Attempt ?? 0,
            PendingWritten = PendingWritten ?? false,
        };
    }

    private sealed class DecisionV1
    {
        [JsonPropertyName("row")] public int Row { get; set; }
        [JsonPropertyName("outcome")] public int Outcome { get; set; }
    }
}
