namespace DataImport;

/// <summary>The lifecycle of an import job: <c>Queued → InProgress → Completed | Failed | Cancelled</c>.</summary>
public enum ImportJobStatus
{
    /// <summary>Accepted, not started.</summary>
    Queued,

    /// <summary>Reading and writing rows.</summary>
    InProgress,

    /// <summary>Every row was processed; row errors and skips may still have occurred.</summary>
    Completed,

    /// <summary>The job stopped before the end of the file (unreadable file, bad mapping, error budget spent); rows already written stay.</summary>
    Failed,

    /// <summary>Cancelled on request; rows already written stay.</summary>
    Cancelled,
}
