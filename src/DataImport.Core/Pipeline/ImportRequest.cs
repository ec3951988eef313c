using System.Globalization;

namespace DataImport;

/// <summary>One import: which entity, which file, how columns map, and how values are read.</summary>
public sealed class ImportRequest
{
    /// <summary>The largest <see cref="TimezoneOffset"/> either side of UTC, in minutes: 840, UTC+14:00, the furthest offset in use.</summary>
    public const int MaxTimezoneOffsetMinutes = 14 * 60;

    /// <summary>Gets the entity name (case-insensitive).</summary>
    public required string Entity { get; init; }

    /// <summary>Gets the file type, <c>csv</c> or <c>xlsx</c> (or a type a host registered a reader for).</summary>
    public required string FileType { get; init; }

    /// <summary>Gets the file content. The engine reads it once, from its current position; it does not dispose it.</summary>
    public required Stream File { get; init; }

    /// <summary>Gets the file's original name, kept as metadata only (never used as a path).</summary>
    public string? FileName { get; init; }

    /// <summary>Gets the column mapping.</summary>
    /// <value>The default maps columns whose header equals a property name.</value>
    public ColumnMapping Mapping { get; init; } = ColumnMapping.ByHeaderName;

    /// <summary>Gets the culture name used to read numbers and dates, e.g. <c>de-DE</c>; ISO 8601 dates are always accepted.</summary>
    /// <value>The default is <see langword="null"/>, the invariant culture.</value>
    public string? Locale { get; init; }

    /// <summary>Gets the timezone offset in minutes east of UTC (UTC+01:00 is 60; negate a browser's <c>getTimezoneOffset()</c>).</summary>
    /// <value>The default is 0.</value>
    public int TimezoneOffset { get; init; }

    /// <summary>Gets the import mode.</summary>
    /// <value>The default is <see cref="ImportMode.CreateOnly"/>, which never changes existing records.</value>
    public ImportMode Mode { get; init; } = ImportMode.CreateOnly;

    /// <summary>Gets a value indicating whether the first row holds column names.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool HasHeaderRow { get; init; } = true;

    /// <summary>Gets the worksheet of a workbook, by name or 1-based index.</summary>
    /// <value>The default is <see langword="null"/>, the first sheet.</value>
    public string? Sheet { get; init; }

    /// <summary>Gets the CSV delimiter.</summary>
    /// <value>The default is <see langword="null"/>: detected from the first line among <c>,</c> <c>;</c> tab <c>|</c>.</value>
    public char? Delimiter { get; init; }

    /// <summary>Gets the text encoding of a CSV file, e.g. <c>windows-1252</c>.</summary>
    /// <value>The default is <see langword="null"/>: a byte order mark, else UTF-8.</value>
    public string? Encoding { get; init; }

    /// <summary>Gets a value indicating whether nothing is written: the job reports what would have happened.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool DryRun { get; init; }

    /// <summary>Gets the number of error rows after which the job stops as failed; rows already written stay.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public int? ErrorBudget { get; init; }

    /// <summary>Gets the number of rows written to the sink at once.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="DataImportOptions.BatchSize"/>.</value>
    public int? BatchSize { get; init; }

    /// <summary>Gets the tenant the import belongs to.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Domain { get; init; }

    /// <summary>
    /// Gets a value indicating whether source cells that a spreadsheet would run as a formula (starting with
    /// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>) are neutralised in the not-imported file. Text the engine writes is always neutralised.
    /// </summary>
    /// <value>The default is <see langword="false"/>, so source cells round-trip unchanged.</value>
    public bool NeutraliseSourceFormulas { get; init; }

    /// <summary>Gets the stream the not-imported CSV is written to, or <see langword="null"/> for none. The engine does not dispose it.</summary>
    public Stream? NotImportedOutput { get; init; }

    internal CultureInfo Culture { get; private set; } = CultureInfo.InvariantCulture;

    /// <summary>Checks what can be checked without reading the file; returns every problem.</summary>
    internal List<ImportProblem> CheckShape()
    {
        var problems = new List<ImportProblem>();
        if (string.IsNullOrWhiteSpace(Entity))
        {
            problems.Add(ImportProblem.Request("entity", ImportProblemCodes.Required, "The entity is required."));
        }

        if (string.IsNullOrWhiteSpace(FileType))
        {
            problems.Add(ImportProblem.Request("type", ImportProblemCodes.Required, "The file type is required: csv or xlsx."));
        }

        if (File is null)
        {
            problems.Add(ImportProblem.Request("file", ImportProblemCodes.Required, "The file is required."));
        }
        else if (!File.CanRead)
        {
            problems.Add(ImportProblem.Request("file", ImportProblemCodes.InvalidOption, "The file stream cannot be read."));
        }

        if (Mapping is null)
        {
            problems.Add(ImportProblem.Request("mapping", ImportProblemCodes.Required, "The mapping is required."));
        }

        if (!string.IsNullOrWhiteSpace(Locale))
        {
            try
            {
                Culture = CultureInfo.GetCultureInfo(Locale.Trim(), predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                problems.Add(ImportProblem.Request("locale", ImportProblemCodes.InvalidOption, $"The locale '{Locale}' is not a known culture name; use a name such as en-US, de-DE or fr-FR."));
            }
        }

        if (TimezoneOffset is < -MaxTimezoneOffsetMinutes or > MaxTimezoneOffsetMinutes)
        {
            problems.Add(ImportProblem.Request("timezoneOffset", ImportProblemCodes.InvalidOption, $"The timezone offset {TimezoneOffset} is out of range; it is in minutes east of UTC, between -{MaxTimezoneOffsetMinutes} and {MaxTimezoneOffsetMinutes} (UTC+01:00 is 60)."));
        }

        if (BatchSize is <= 0 or > 100_000)
        {
            problems.Add(ImportProblem.Request("batchSize", ImportProblemCodes.InvalidOption, $"The batch size {BatchSize} is out of range; use 1 to 100000."));
        }

        if (ErrorBudget is < 0)
        {
            problems.Add(ImportProblem.Request("errorBudget", ImportProblemCodes.InvalidOption, $"The error budget {ErrorBudget} must not be negative."));
        }

        if (Delimiter is '"' or '\r' or '\n')
        {
            problems.Add(ImportProblem.Request("delimiter", ImportProblemCodes.InvalidOption, "The delimiter cannot be a quote or a line break."));
        }
        else if (Delimiter is { } delimiter && char.IsLetterOrDigit(delimiter))
        {
            // The CSV reader refuses it too, with a message about its own options: say it here in the user's terms.
            problems.Add(ImportProblem.Request("delimiter", ImportProblemCodes.InvalidOption, $"The delimiter '{delimiter}' cannot be a letter or a digit; use e.g. , ; | or a tab."));
        }

        return problems;
    }
}
