namespace DataImport;

/// <summary>
/// A file cannot be read as its type: malformed, not valid in its encoding, encrypted, corrupt or over a limit.
/// <see cref="Problem"/> says where, as properties (the row and column when the failure is at one), so callers never
/// parse the message. An import ends <see cref="ImportJobStatus.Failed"/> with it, after the rows before it.
/// </summary>
public sealed class ImportFileException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="ImportFileException"/> class.</summary>
    /// <param name="problem">What is wrong and where.</param>
    /// <param name="innerException">The reader's own exception, or <see langword="null"/>.</param>
    public ImportFileException(ImportProblem problem, Exception? innerException = null)
        : base((problem ?? throw new ArgumentNullException(nameof(problem))).Message, innerException)
    {
        Problem = problem;
    }

    /// <summary>Initializes a new instance of the <see cref="ImportFileException"/> class.</summary>
    public ImportFileException()
        : this("The file cannot be read.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportFileException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    public ImportFileException(string message)
        : this(new ImportProblem { Code = ImportProblemCodes.InvalidFile, Message = message })
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportFileException"/> class.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ImportFileException(string message, Exception innerException)
        : this(new ImportProblem { Code = ImportProblemCodes.InvalidFile, Message = message }, innerException)
    {
    }

    /// <summary>Gets what is wrong and where: code <see cref="ImportProblemCodes.InvalidFile"/>, the row and column when known.</summary>
    public ImportProblem Problem { get; }

    internal static ImportFileException At(int row, int? column, string message, Exception? innerException = null) =>
        new(new ImportProblem { Code = ImportProblemCodes.InvalidFile, Row = row, Column = column, Message = message }, innerException);
}
