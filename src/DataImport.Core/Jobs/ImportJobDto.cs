using System.Globalization;
using System.Text.Json.Serialization;

namespace DataImport;

/// <summary>
/// The state and outcome of one import job, with every field of the seeds' job objects
/// (<c>id</c>/<c>code</c>, counters, timestamps, <c>payload</c>, <c>output</c>, the not-imported link).
/// </summary>
public sealed record ImportJobDto
{
    /// <summary>Gets the job id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the code usable for polling; the same as <see cref="Id"/>.</summary>
    public string Code => Id;

    /// <summary>Gets the entity name.</summary>
    public required string Entity { get; init; }

    /// <summary>Gets the job type.</summary>
    /// <value>Always <c>IMPORT</c>.</value>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Serialized as part of the job object.")]
    public string Type => "IMPORT";

    /// <summary>Gets the tenant the job belongs to.</summary>
    public string? Domain { get; init; }

    /// <summary>Gets the status.</summary>
    public ImportJobStatus Status { get; init; }

    /// <summary>Gets the progress from 0 to 100; 100 once the job ends.</summary>
    public int Progress { get; init; }

    /// <summary>Gets a message about the job: why it failed, or a summary once it ends.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// Gets why a failed job failed, as a problem: a stable code (<see cref="ImportProblemCodes.InvalidFile"/>,
    /// <see cref="ImportProblemCodes.Stopped"/>, <see cref="ImportProblemCodes.InvalidMapping"/>, …) and, for a file that
    /// cannot be read at one spot, its row and column.
    /// </summary>
    /// <value>The problem, or <see langword="null"/> while the job has not failed.</value>
    public ImportProblem? Failure { get; init; }

    /// <summary>Gets the original file name.</summary>
    public string? FileName { get; init; }

    /// <summary>Gets the number of data rows (excluding the header and blank rows), or <see langword="null"/> until known.</summary>
    public int? TotalItems { get; init; }

    /// <summary>Gets the number of rows processed: created + updated + skipped + errors.</summary>
    public int ProcessedItems => CreatedCount + UpdatedCount + SkippedCount + ErrorCount;

    /// <summary>Gets the number of records created.</summary>
    public int CreatedCount { get; init; }

    /// <summary>Gets the number of records updated.</summary>
    public int UpdatedCount { get; init; }

    /// <summary>Gets the number of rows skipped (already exists, no matching record, missing required value).</summary>
    public int SkippedCount { get; init; }

    /// <summary>Gets the number of rows with errors (conversion, validation, or refused by the sink).</summary>
    public int ErrorCount { get; init; }

    /// <summary>Gets the number of rows imported: created + updated.</summary>
    public int ImportedCount => CreatedCount + UpdatedCount;

    /// <summary>Gets the number of rows not imported: skipped + errors.</summary>
    public int FailedCount => SkippedCount + ErrorCount;

    /// <summary>Gets the first row errors and skips, in file order (at most <see cref="DataImportOptions.MaxReportedErrors"/>).</summary>
    public IReadOnlyList<ImportRowError> Errors { get; init; } = [];

    /// <summary>Gets a time-limited link to the CSV of rows not imported, or <see langword="null"/> when there is none.</summary>
    public string? NotImportedDownloadUrl { get; init; }

    /// <summary>Gets the request the job runs.</summary>
    public ImportJobPayload? Payload { get; init; }

    /// <summary>Gets the summary once the job ends, or <see langword="null"/> before.</summary>
    public ImportJobOutput? Output { get; init; }

    /// <summary>Gets when the job was created (UTC).</summary>
    public DateTimeOffset CreatedDate { get; init; }

    /// <summary>Gets when the job was created (UTC); the same as <see cref="CreatedDate"/>.</summary>
    public DateTimeOffset CreatedAt => CreatedDate;

    /// <summary>Gets when the job started (UTC), or <see langword="null"/> while queued.</summary>
    public DateTimeOffset? StartedDate { get; init; }

    /// <summary>Gets when the job started (UTC); the same as <see cref="StartedDate"/>.</summary>
    public DateTimeOffset? JobStart => StartedDate;

    /// <summary>Gets when the job ended (UTC) — completed, failed or cancelled — or <see langword="null"/> before.</summary>
    public DateTimeOffset? CompletedDate { get; init; }

    /// <summary>Gets when the job ended (UTC); the same as <see cref="CompletedDate"/>.</summary>
    public DateTimeOffset? JobEnd => CompletedDate;

    /// <summary>Gets when the job last changed (UTC).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets when the worker running the job last reported it alive (UTC).</summary>
    public DateTimeOffset? LastHeartbeat { get; init; }

    /// <summary>Gets how long the job ran, e.g. <c>10 seconds</c>, or <see langword="null"/> before it started.</summary>
    public string? Duration => StartedDate is { } start ? FormatDuration((CompletedDate ?? UpdatedAt) - start) : null;

    /// <summary>Gets a value indicating whether the job has ended.</summary>
    [JsonIgnore]
    public bool IsFinished => Status is ImportJobStatus.Completed or ImportJobStatus.Failed or ImportJobStatus.Cancelled;

    internal static string FormatDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        if (duration.TotalSeconds < 60)
        {
            var seconds = Math.Round(duration.TotalSeconds, duration.TotalSeconds < 10 ? 1 : 0);
            return $"{seconds.ToString(CultureInfo.InvariantCulture)} second{(seconds == 1 ? "" : "s")}";
        }

        var minutes = (int)duration.TotalMinutes;
        return $"{minutes} minute{(minutes == 1 ? "" : "s")} {duration.Seconds} second{(duration.Seconds == 1 ? "" : "s")}";
    }
}

/// <summary>The request a job runs, as stored on the job (the seed's <c>payload</c>).</summary>
public sealed record ImportJobPayload
{
    /// <summary>Gets the entity name.</summary>
    public required string Entity { get; init; }

    /// <summary>Gets the file type.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the original file name.</summary>
    public string? FileName { get; init; }

    /// <summary>Gets the mapping, column number (or header) → property.</summary>
    public IReadOnlyDictionary<string, string>? Mapping { get; init; }

    /// <summary>Gets the locale.</summary>
    public string? Locale { get; init; }

    /// <summary>Gets the timezone offset in minutes east of UTC.</summary>
    public int TimezoneOffset { get; init; }

    /// <summary>Gets the import mode.</summary>
    public ImportMode Mode { get; init; }

    /// <summary>Gets the worksheet.</summary>
    public string? Sheet { get; init; }

    /// <summary>Gets a value indicating whether the file has a header row.</summary>
    public bool HasHeaderRow { get; init; }

    /// <summary>Gets the declared delimiter.</summary>
    public string? Delimiter { get; init; }

    /// <summary>Gets the declared encoding.</summary>
    public string? Encoding { get; init; }

    /// <summary>Gets a value indicating whether nothing is written.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets the error budget.</summary>
    public int? ErrorBudget { get; init; }

    /// <summary>Gets the batch size.</summary>
    public int BatchSize { get; init; }

    /// <summary>Gets a value indicating whether source cells that look like formulas are neutralised in the not-imported file.</summary>
    public bool NeutraliseSourceFormulas { get; init; }

    /// <summary>The request a stored job runs: this payload over the job's uploaded file and its not-imported output.</summary>
    internal ImportRequest ToRequest(string? domain, Stream upload, Stream notImportedOutput)
    {
        var mapping = ColumnMapping.ByHeaderName;
        if (Mapping is { } entries)
        {
            mapping = new ColumnMapping();
            foreach (var (column, property) in entries)
            {
                if (int.TryParse(column, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    mapping.Map(number, property);
                }
                else
                {
                    mapping.Map(column, property);
                }
            }
        }

        return new ImportRequest
        {
            Entity = Entity,
            FileType = Type,
            File = upload,
            FileName = FileName,
            Mapping = mapping,
            Locale = Locale,
            TimezoneOffset = TimezoneOffset,
            Mode = Mode,
            HasHeaderRow = HasHeaderRow,
            Sheet = Sheet,
            Delimiter = Delimiter is { Length: 1 } delimiter ? delimiter[0] : null,
            Encoding = Encoding,
            DryRun = DryRun,
            ErrorBudget = ErrorBudget,
            BatchSize = BatchSize,
            Domain = domain,
            NeutraliseSourceFormulas = NeutraliseSourceFormulas,
            NotImportedOutput = notImportedOutput,
        };
    }

    /// <summary>The payload stored for a request (the inverse of <see cref="ToRequest"/>).</summary>
    internal static ImportJobPayload From(ImportRequest request, int batchSize) => new()
    {
        Entity = request.Entity,
        Type = request.FileType.ToLowerInvariant(),
        FileName = request.FileName,
        Mapping = request.Mapping.IsAutomatic
            ? null
            : request.Mapping.Entries.GroupBy(e => e.Column?.ToString(CultureInfo.InvariantCulture) ?? e.Header ?? string.Empty)
                .ToDictionary(g => g.Key, g => g.Last().Property),
        Locale = request.Locale,
        TimezoneOffset = request.TimezoneOffset,
        Mode = request.Mode,
        Sheet = request.Sheet,
        HasHeaderRow = request.HasHeaderRow,
        Delimiter = request.Delimiter?.ToString(),
        Encoding = request.Encoding,
        DryRun = request.DryRun,
        ErrorBudget = request.ErrorBudget,
        BatchSize = batchSize,
        NeutraliseSourceFormulas = request.NeutraliseSourceFormulas,
    };
}

/// <summary>The summary of a finished job (the seed's <c>output</c>).</summary>
/// <remarks>Two summaries are equal when all their properties are.</remarks>
public sealed class ImportJobOutput : IEquatable<ImportJobOutput>
{
    /// <summary>Gets the number of rows imported: created + updated.</summary>
    /// <value>The default is 0.</value>
    public int ImportedCount { get; init; }

    /// <summary>Gets the number of rows not imported: skipped + errors.</summary>
    /// <value>The default is 0.</value>
    public int FailedCount { get; init; }

    /// <summary>Gets the number of records created.</summary>
    /// <value>The default is 0.</value>
    public int CreatedCount { get; init; }

    /// <summary>Gets the number of records updated.</summary>
    /// <value>The default is 0.</value>
    public int UpdatedCount { get; init; }

    /// <summary>Gets the number of rows skipped.</summary>
    /// <value>The default is 0.</value>
    public int SkippedCount { get; init; }

    /// <summary>Gets the number of rows with errors.</summary>
    /// <value>The default is 0.</value>
    public int ErrorCount { get; init; }

    /// <summary>Gets the number of data rows read.</summary>
    /// <value>The count, or <see langword="null"/> (the default) when it is not known.</value>
    public int? TotalItems { get; init; }

    /// <summary>Gets a value indicating whether nothing was written.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool DryRun { get; init; }

    /// <summary>Returns whether two summaries are equal.</summary>
    /// <param name="left">The first summary.</param>
    /// <param name="right">The second summary.</param>
    /// <returns><see langword="true"/> when both are <see langword="null"/> or equal.</returns>
    public static bool operator ==(ImportJobOutput? left, ImportJobOutput? right) => Equals(left, right);

    /// <summary>Returns whether two summaries differ.</summary>
    /// <param name="left">The first summary.</param>
    /// <param name="right">The second summary.</param>
    /// <returns><see langword="true"/> when they are not equal.</returns>
    public static bool operator !=(ImportJobOutput? left, ImportJobOutput? right) => !Equals(left, right);

    /// <inheritdoc />
    public bool Equals(ImportJobOutput? other) =>
        other is not null
        && ImportedCount == other.ImportedCount
        && FailedCount == other.FailedCount
        && CreatedCount == other.CreatedCount
        && UpdatedCount == other.UpdatedCount
        && SkippedCount == other.SkippedCount
        && ErrorCount == other.ErrorCount
        && TotalItems == other.TotalItems
        && DryRun == other.DryRun;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ImportJobOutput);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ImportedCount, FailedCount, CreatedCount, UpdatedCount, SkippedCount, ErrorCount, TotalItems, DryRun);
}
