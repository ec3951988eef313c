namespace DataImport;

/// <summary>A problem a custom validator found in a record; the row becomes an error with this message.</summary>
/// <param name="Property">The property the problem is about, or <see langword="null"/> for the record as a whole.</param>
/// <param name="Message">What is wrong, in words a user can act on.</param>
public readonly record struct ValidationProblem(string? Property, string Message);
