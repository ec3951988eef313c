namespace DataImport;

/// <summary>
/// One problem the engine found, where it is as properties and what it is as a stable <see cref="Code"/>: with the
/// request (<see cref="Field"/>), with the file (<see cref="Row"/>, <see cref="Column"/>), or with a value of a row
/// (<see cref="Row"/>, <see cref="Column"/>, <see cref="Property"/>). Callers branch on <see cref="Code"/>, never on the
/// English of <see cref="Message"/>.
/// </summary>
public class ImportProblem
{
    /// <summary>Gets the stable code of the kind of problem; one of <see cref="ImportProblemCodes"/>.</summary>
    public required string Code { get; init; }

    /// <summary>Gets what is wrong, in words an end user can act on.</summary>
    public required string Message { get; init; }

    /// <summary>Gets the request field the problem is about (named as in the REST contract, e.g. <c>mapping</c>, <c>locale</c>), or <see langword="null"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Field { get; init; }

    /// <summary>Gets the row number as a spreadsheet shows it, or <see langword="null"/> when the problem is not about a row.</summary>
    public int? Row { get; init; }

    /// <summary>Gets the column number from 1, or <see langword="null"/> when the problem is not about one column.</summary>
    public int? Column { get; init; }

    /// <summary>Gets the entity property, or <see langword="null"/> when the problem is not about one property.</summary>
    public string? Property { get; init; }

    internal static ImportProblem Request(string field, string code, string message) => new() { Field = field, Code = code, Message = message };

    internal static ImportProblem Mapping(string message) => Request("mapping", ImportProblemCodes.InvalidMapping, message);

    /// <summary>Returns <see cref="Message"/>.</summary>
    /// <returns>The message.</returns>
    public override string ToString() => Message;
}
