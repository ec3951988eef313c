namespace DataImport;

/// <summary>An import running in this process.</summary>
public interface IImportJob
{
    /// <summary>Gets the job id.</summary>
    string Id { get; }

    /// <summary>Gets the latest state of the job.</summary>
    ImportJobDto Current { get; }

    /// <summary>Gets a task that completes with the final state when the job ends; it never faults.</summary>
    Task<ImportJobDto> Completion { get; }

    /// <summary>Asks the job to stop; it ends <see cref="ImportJobStatus.Cancelled"/> at the next row, keeping rows already written.</summary>
    void Cancel();
}
