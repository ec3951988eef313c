namespace DataImport;

/// <summary>
/// Thrown by a sink to refuse a write for a reason the user can act on (a constraint, a value the store does not
/// accept). When a failing batch has been split down to one row, the row becomes an error reading
/// <c>not saved: {message}</c>. Any other exception from a write is logged, and the row says the details are in the
/// server log: a database's own message is not shown to users.
/// </summary>
public sealed class ImportRowRejectedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ImportRowRejectedException"/> class.</summary>
    public ImportRowRejectedException()
        : this("The record was refused.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportRowRejectedException"/> class.</summary>
    /// <param name="message">Why the record was refused, in words the user can act on.</param>
    public ImportRowRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportRowRejectedException"/> class.</summary>
    /// <param name="message">Why the record was refused, in words the user can act on.</param>
    /// <param name="innerException">The store's own exception, for the log.</param>
    public ImportRowRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
