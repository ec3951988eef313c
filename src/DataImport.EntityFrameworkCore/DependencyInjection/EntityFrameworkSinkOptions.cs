namespace DataImport;

/// <summary>Options of the Entity Framework Core sink (<c>AddEntityFrameworkSink</c>).</summary>
public sealed class EntityFrameworkSinkOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether a background job's checkpoint is saved in each batch's transaction, so the
    /// rows and the checkpoint commit together and a worker that lost the job (a paused host) cannot commit its batch.
    /// Set it only when the job store keeps its tables in the context's database (e.g. <c>UseSqliteJobStore</c> on the
    /// same file) and can write in the context's transaction (<see cref="ImportJobStore.SaveCheckpointAsync"/>).
    /// </summary>
    /// <value>The default is <see langword="false"/>: the engine saves the checkpoint through the job store before each
    /// write, as for any sink.</value>
    public bool CheckpointInTransaction { get; set; }
}
