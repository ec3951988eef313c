namespace DataImport.Validation;

/// <summary>One failing field of a row (or the row as a whole when <see cref="Column"/> and <see cref="Property"/> are null).</summary>
/// <param name="Code">The problem's code, one of <see cref="ImportProblemCodes"/>.</param>
/// <param name="Column">The 1-based column, or <see langword="null"/>.</param>
/// <param name="Property">The property, or <see langword="null"/>.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="MissingValue">Whether the problem is only a missing required or key value (such a row is skipped, not an error).</param>
internal readonly record struct FieldProblem(string Code, int? Column, string? Property, string Message, bool MissingValue = false)
{
    public string Describe() => (Property, Column) switch
    {
        (not null, not null) => $"{Property} (column {Column}): {Message}",
        (not null, null) => $"{Property}: {Message}",
        _ => Message,
    };
}
