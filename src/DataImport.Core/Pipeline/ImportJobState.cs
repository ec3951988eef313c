namespace DataImport.Pipeline;

/// <summary>The mutable state of one job while it runs; <see cref="Snapshot"/> makes the immutable DTO.</summary>
internal sealed class ImportJobState
{
    private readonly Lock _gate = new();

    public required string Id { get; init; }

    public required string Entity { get; init; }

    public string? Domain { get; init; }

    public string? FileName { get; init; }

    public ImportJobPayload? Payload { get; init; }

    public ImportJobStatus Status { get; set; }

    public string? Message { get; set; }

    public ImportProblem? Failure { get; set; }

    public int? TotalItems { get; set; }

    public int Created { get; set; }

    public int Updated { get; set; }

    public int Skipped { get; set; }

    public int Errors { get; set; }

    public List<ImportRowError> RowErrors { get; } = [];

    public DateTimeOffset CreatedDate { get; init; }

    public DateTimeOffset? StartedDate { get; set; }

    public DateTimeOffset? CompletedDate { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? LastHeartbeat { get; set; }

    public string? NotImportedDownloadUrl { get; set; }

    public bool DryRun { get; init; }

    public int Processed => Created + Updated + Skipped + Errors;

    public Lock Gate => _gate;

    public ImportJobDto Snapshot()
    {
        lock (_gate)
        {
            var finished = Status is ImportJobStatus.Completed or ImportJobStatus.Failed or ImportJobStatus.Cancelled;
            var progress = Status == ImportJobStatus.Completed ? 100
                : TotalItems is > 0 and var total ? Math.Min(99, (int)(Processed * 100L / total))
                : 0;
            return new ImportJobDto
            {
                Id = Id,
                Entity = Entity,
                Domain = Domain,
                Status = Status,
                Progress = progress,
                Message = Message,
                Failure = Failure,
                FileName = FileName,
                TotalItems = TotalItems,
                CreatedCount = Created,
                UpdatedCount = Updated,
                SkippedCount = Skipped,
                ErrorCount = Errors,
                Errors = [.. RowErrors],
                NotImportedDownloadUrl = NotImportedDownloadUrl,
                Payload = Payload,
                Output = finished ? new ImportJobOutput { ImportedCount = Created + Updated, FailedCount = Skipped + Errors, CreatedCount = Created, UpdatedCount = Updated, SkippedCount = Skipped, ErrorCount = Errors, TotalItems = TotalItems, DryRun = DryRun } : null,
                CreatedDate = CreatedDate,
                StartedDate = StartedDate,
                CompletedDate = CompletedDate,
                UpdatedAt = UpdatedAt,
                LastHeartbeat = LastHeartbeat,
            };
        }
    }
}
