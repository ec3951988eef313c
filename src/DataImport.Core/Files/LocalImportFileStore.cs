using System.Buffers;

namespace DataImport.Files;

/// <summary>
/// The default file store: a local folder. Uploads are <c>{id}.upload</c>, not-imported files <c>{id}.not-imported.csv</c>
/// beside them; ids are the store's own, checked to be plain names, so nothing a user sends becomes a path.
/// </summary>
internal sealed class LocalImportFileStore : ImportFileStore
{
    private const int BufferSize = 81_920;

    public LocalImportFileStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public override async ValueTask<string> SaveUploadAsync(string jobId, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var fileId = CheckName(jobId) + ".upload";
        Directory.CreateDirectory(Root);
        var path = PathOf(fileId);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            await using (output.ConfigureAwait(false))
            {
                long total = 0;
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > maxBytes)
                    {
                        throw new ImportFileTooLargeException(maxBytes);
                    }

                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return fileId;
    }

    public override ValueTask<Stream?> OpenUploadAsync(string fileId, CancellationToken cancellationToken)
    {
        try
        {
            Stream stream = new FileStream(PathOf(CheckName(fileId)), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, useAsync: true);
            return ValueTask.FromResult<Stream?>(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult<Stream?>(null);
        }
    }

    public override ValueTask<Stream> OpenNotImportedForWriteAsync(string jobId, long length, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);

        // Shared access: a worker that took over a job from a dead host must not be locked out by the dead host's handle.
        var stream = new FileStream(NotImportedPath(jobId), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, BufferSize, useAsync: true);
        stream.SetLength(Math.Min(Math.Max(length, 0), stream.Length));
        stream.Seek(0, SeekOrigin.End);
        return ValueTask.FromResult<Stream>(stream);
    }

    public override ValueTask<Stream?> OpenNotImportedAsync(string jobId, CancellationToken cancellationToken)
    {
        try
        {
            Stream stream = new FileStream(NotImportedPath(jobId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, useAsync: true);
            return ValueTask.FromResult<Stream?>(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult<Stream?>(null);
        }
    }

    public override ValueTask DeleteAsync(string jobId, string uploadFileId, CancellationToken cancellationToken)
    {
        TryDelete(PathOf(CheckName(uploadFileId)));
        TryDelete(NotImportedPath(jobId));
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<int> DeleteAbandonedUploadsAsync(DateTimeOffset savedBefore, Func<string, CancellationToken, ValueTask<bool>> jobExists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobExists);
        if (!Directory.Exists(Root))
        {
            return 0;
        }

        // A file's last write is when its upload ended (the copy writes it to the end, then closes it).
        var deleted = 0;
        foreach (var path in Directory.EnumerateFiles(Root, "*.upload"))
        {
            // A file of another name (put there by hand) is not this store's: it is left alone.
            var jobId = Path.GetFileNameWithoutExtension(path);
            if (IsId(jobId) && File.GetLastWriteTimeUtc(path) < savedBefore.UtcDateTime && !await jobExists(jobId, cancellationToken).ConfigureAwait(false))
            {
                TryDelete(path);
                TryDelete(NotImportedPath(jobId));
                deleted++;
            }
        }

        return deleted;
    }

    private string NotImportedPath(string jobId) => PathOf(CheckName(jobId) + ".not-imported.csv");

    private string PathOf(string name) => Path.Combine(Root, name);

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return IsId(name) ? name : throw new ArgumentException($"'{name}' is not a file id of this store.", nameof(name));
    }

    private static bool IsId(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.')
            {
                return false;
            }
        }

        return name.Length > 0 && !name.Contains("..", StringComparison.Ordinal);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Retention tries again on its next pass.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
