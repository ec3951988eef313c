namespace DataImport;

/// <summary>
/// Why one row, or one field of a row, was not imported: a problem with its <see cref="ImportProblem.Row"/> always set,
/// and whether the row was skipped or an error.
/// </summary>
/// <remarks>Two errors are equal when all their properties are.</remarks>
public sealed class ImportRowError : ImportProblem, IEquatable<ImportRowError>
{
    /// <summary>Gets whether the row was <see cref="RowOutcome.Skipped"/> or an <see cref="RowOutcome.Error"/>.</summary>
    public required RowOutcome Outcome { get; init; }

    /// <summary>Returns whether two errors are equal.</summary>
    /// <param name="left">The first error.</param>
    /// <param name="right">The second error.</param>
    /// <returns><see langword="true"/> when both are <see langword="null"/> or equal.</returns>
    public static bool operator ==(ImportRowError? left, ImportRowError? right) => Equals(left, right);

    /// <summary>Returns whether two errors differ.</summary>
    /// <param name="left">The first error.</param>
    /// <param name="right">The second error.</param>
    /// <returns><see langword="true"/> when they are not equal.</returns>
    public static bool operator !=(ImportRowError? left, ImportRowError? right) => !Equals(left, right);

    /// <inheritdoc />
    public bool Equals(ImportRowError? other) =>
        other is not null
        && Row == other.Row
        && Column == other.Column
        && string.Equals(Property, other.Property, StringComparison.Ordinal)
        && string.Equals(Code, other.Code, StringComparison.Ordinal)
        && string.Equals(Message, other.Message, StringComparison.Ordinal)
        && Outcome == other.Outcome;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ImportRowError);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Row, Column, Property, Code, Message, Outcome);
}

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
