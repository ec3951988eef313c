namespace DataImport;

/// <summary>Why one row, or one field of a row, was not imported.</summary>
/// <param name="Row">The row number as a spreadsheet shows it (with a header row, the first data row is 2).</param>
/// <param name="Column">The column number from 1, or <see langword="null"/> when the reason is about the whole row.</param>
/// <param name="Property">The property, or <see langword="null"/> when the reason is about the whole row.</param>
/// <param name="Message">What is wrong, in words a user can act on.</param>
/// <param name="Outcome">Whether the row was <see cref="RowOutcome.Skipped"/> or an <see cref="RowOutcome.Error"/>.</param>
public sealed record ImportRowError(int Row, int? Column, string? Property, string Message, RowOutcome Outcome);

/// <summary>What happened to one row.</summary>
public enum RowOutcome
{
    /// <summary>A record was created.</summary>
    Created,

    /// <summary>An existing record was updated.</summary>
    Updated,

    /// <summary>The row was skipped: a required value was missing, or the mode did not allow the create or update.</summary>
    Skipped,

    /// <summary>The row has a value that could not be converted or validated, or the sink refused it.</summary>
    Error,
}
