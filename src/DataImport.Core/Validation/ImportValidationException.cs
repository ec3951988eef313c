namespace DataImport;

/// <summary>
/// An import request is invalid; <see cref="Problems"/> lists every problem found, each with the request field it is
/// about, a stable code and a sentence a user can act on.
/// </summary>
public sealed class ImportValidationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class.</summary>
    /// <param name="problems">The problems.</param>
    public ImportValidationException(IReadOnlyList<ImportProblem> problems)
        : base(string.Join(" ", (problems ?? throw new ArgumentNullException(nameof(problems))).Select(p => p.Message)))
    {
        Problems = problems;
    }

    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class.</summary>
    public ImportValidationException()
        : this("The import request is invalid.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class with one problem of code <see cref="ImportProblemCodes.InvalidOption"/>.</summary>
    /// <param name="message">The single problem.</param>
    public ImportValidationException(string message)
        : this([new ImportProblem { Code = ImportProblemCodes.InvalidOption, Message = message }])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class with one problem of code <see cref="ImportProblemCodes.InvalidOption"/>.</summary>
    /// <param name="message">The single problem.</param>
    /// <param name="innerException">The cause.</param>
    public ImportValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new ImportProblem { Code = ImportProblemCodes.InvalidOption, Message = message }];
    }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<ImportProblem> Problems { get; }
}
