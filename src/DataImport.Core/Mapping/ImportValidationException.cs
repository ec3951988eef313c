namespace DataImport;

/// <summary>An import request is invalid; <see cref="Problems"/> lists every problem found, each a sentence a user can act on.</summary>
public sealed class ImportValidationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class.</summary>
    /// <param name="problems">The problems.</param>
    public ImportValidationException(IReadOnlyList<string> problems)
        : base(string.Join(" ", problems ?? throw new ArgumentNullException(nameof(problems))))
    {
        Problems = problems;
    }

    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class.</summary>
    public ImportValidationException()
        : this(["The import request is invalid."])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class.</summary>
    /// <param name="message">The single problem.</param>
    public ImportValidationException(string message)
        : this([message])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportValidationException"/> class.</summary>
    /// <param name="message">The single problem.</param>
    /// <param name="innerException">The cause.</param>
    public ImportValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }
}
