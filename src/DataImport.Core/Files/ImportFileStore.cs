namespace DataImport;

/// <summary>
/// Where uploaded files and not-imported files of background jobs live. The default keeps them in a local folder; a
/// store shared by several machines (a network share, blob storage) lets any worker run any job. New virtual members may
/// be added in later versions with default implementations.
/// </summary>
/// <remarks>
/// Files are named by the store (from the job id), never by the user's file name, which is metadata only. Uploads are
/// streamed, never held whole in memory.
/// </remarks>
public abstract class ImportFileStore
{
    /// <summary>Stores an upload, copying it as a stream and stopping as soon as it grows past <paramref name="maxBytes"/>.</summary>
    /// <param name="jobId">The job the upload belongs to.</param>
    /// <param name="content">The upload, read from its current position to its end.</param>
    /// <param name="maxBytes">The largest upload accepted, in bytes.</param>
    /// <param name="cancellationToken">A token to cancel the copy.</param>
    /// <returns>The stored file's id, to open it later.</returns>
    /// <exception cref="ImportFileTooLargeException">The upload is larger than <paramref name="maxBytes"/>; nothing is kept.</exception>
    public abstract ValueTask<string> SaveUploadAsync(string jobId, Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Opens a stored upload for reading.</summary>
    /// <param name="fileId">The id <see cref="SaveUploadAsync"/> returned.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A seekable stream, or <see langword="null"/> when the file is gone.</returns>
    public abstract ValueTask<Stream?> OpenUploadAsync(string fileId, CancellationToken cancellationToken);

    /// <summary>Opens a job's not-imported file for writing at its end, first cutting it back to <paramref name="length"/> bytes (0 starts it afresh).</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="length">The length to keep: the checkpoint's not-imported bytes when resuming.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A seekable, writable stream positioned at its end.</returns>
    public abstract ValueTask<Stream> OpenNotImportedForWriteAsync(string jobId, long length, CancellationToken cancellationToken);

    /// <summary>Opens a job's not-imported file for reading.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The stream, or <see langword="null"/> when the job has none.</returns>
    public abstract ValueTask<Stream?> OpenNotImportedAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Deletes a job's upload and not-imported file; missing files are ignored.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="uploadFileId">The upload's id.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A task that completes when the files are gone.</returns>
    public abstract ValueTask DeleteAsync(string jobId, string uploadFileId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the uploads saved before <paramref name="savedBefore"/> that belong to no job: what a process killed between
    /// saving an upload and creating its job (or deleting an upload it only held while reading a request) leaves behind.
    /// The job worker calls it on its retention pass.
    /// </summary>
    /// <param name="savedBefore">Uploads saved before this time are considered; a newer one may still be getting its job.</param>
    /// <param name="jobExists">
    /// Tells whether a job exists, given the job id the upload was saved for (<see cref="SaveUploadAsync"/>).
    /// </param>
    /// <param name="cancellationToken">A token to cancel the sweep.</param>
    /// <returns>How many uploads were deleted, with their not-imported files if any.</returns>
    /// <remarks>The default deletes nothing: a store that cannot list its uploads keeps them.</remarks>
    public virtual ValueTask<int> DeleteAbandonedUploadsAsync(DateTimeOffset savedBefore, Func<string, CancellationToken, ValueTask<bool>> jobExists, CancellationToken cancellationToken) =>
        ValueTask.FromResult(0);
}

/// <summary>An upload is larger than the limit (<see cref="DataImportOptions.MaxFileBytes"/>); hosts answer it with 413.</summary>
public sealed class ImportFileTooLargeException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ImportFileTooLargeException"/> class.</summary>
    /// <param name="limitBytes">The limit, in bytes.</param>
    public ImportFileTooLargeException(long limitBytes)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The file is larger than the limit of {limitBytes:N0} bytes."))
    {
        LimitBytes = limitBytes;
    }

    /// <summary>Initializes a new instance of the <see cref="ImportFileTooLargeException"/> class.</summary>
    public ImportFileTooLargeException()
        : base("The file is larger than the limit.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportFileTooLargeException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ImportFileTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ImportFileTooLargeException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ImportFileTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the limit that was exceeded, in bytes.</summary>
    /// <value>0 when not known.</value>
    public long LimitBytes { get; }
}
