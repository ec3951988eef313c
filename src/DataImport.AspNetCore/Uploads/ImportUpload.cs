using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace DataImport.AspNetCore;

/// <summary>
/// Reads the import's <c>multipart/form-data</c> body part by part, never holding the file in memory, and starts the job
/// only once the body has ended with its closing boundary and every field has been checked. The <c>file</c> part streams
/// to the file store as a provisional upload wherever it comes in the body (a field sent after it still counts); the job
/// is then started from that upload, which is deleted whatever happens — a bad field, a body cut short, a client gone.
/// </summary>
/// <remarks>
/// The job service stores its own copy of the file, so the provisional upload is copied once more; that is the price of
/// not queuing a job before the rest of the body is known.
/// </remarks>
internal sealed class ImportUpload
{
    /// <summary>The longest boundary RFC 2046 allows.</summary>
    private const int MaxBoundaryChars = 70;

    private readonly List<ApiError> _problems = [];
    private readonly ImportFormFields _fields;
    private readonly ImportFileStore _files;
    private readonly long _maxFileBytes;
    private readonly string _provisionalId = "upload-" + Guid.NewGuid().ToString("N");
    private string? _storedFileId;
    private string? _fileName;
    private bool _fileSeen;

    private ImportUpload(ImportFileStore files, long maxFileBytes)
    {
        _fields = new ImportFormFields(_problems);
        _files = files;
        _maxFileBytes = maxFileBytes;
    }

    /// <summary>Reads the body and starts the job.</summary>
    /// <returns>The queued job, or the problems of the request (400).</returns>
    /// <exception cref="IOException">The body is cut short or its parts are malformed.</exception>
    /// <exception cref="InvalidDataException">A part's headers are malformed or too long.</exception>
    /// <exception cref="ImportFileTooLargeException">The file is larger than <paramref name="maxFileBytes"/>.</exception>
    public static async Task<(ImportJobDto? Job, IReadOnlyList<ApiError> Problems)> StartAsync(
        HttpRequest request, string entity, string domain, IImportJobService jobs, ImportFileStore files, long maxFileBytes, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            return (null, [new ApiError { Field = "Content-Type", Code = ImportProblemCodes.InvalidOption, Message = "The multipart/form-data content type has no boundary." }]);
        }

        if (boundary.Length > MaxBoundaryChars)
        {
            return (null, [new ApiError { Field = "Content-Type", Code = ImportProblemCodes.InvalidOption, Message = $"The multipart boundary is {boundary.Length} characters long; it may be {MaxBoundaryChars} at most." }]);
        }

        var upload = new ImportUpload(files, maxFileBytes);
        try
        {
            await upload.ReadAsync(new MultipartReader(boundary, request.Body) { BodyLengthLimit = null }, cancellationToken).ConfigureAwait(false);
            return await upload.StartJobAsync(entity, domain, jobs, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await upload.DeleteProvisionalAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        // Returns only when the closing boundary is read: a body cut short throws from ReadNextSectionAsync.
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false)) is not null)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                _problems.Add(new ApiError { Code = ImportProblemCodes.InvalidOption, Message = "Every part of the body must be a form-data part with a name." });
                continue;
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
            if (name.Equals("file", StringComparison.OrdinalIgnoreCase))
            {
                if (_fileSeen)
                {
                    _problems.Add(new ApiError { Field = "file", Code = ImportProblemCodes.InvalidOption, Message = "Send one file per import." });
                    continue;
                }

                _fileSeen = true;
                _fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);

                // A request already refused is not stored: the reader skips the rest of the part.
                if (_problems.Count == 0)
                {
                    _storedFileId = await _files.SaveUploadAsync(_provisionalId, section.Body, _maxFileBytes, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (!ImportFormFields.IsField(name))
            {
                _problems.Add(new ApiError { Field = name, Code = ImportProblemCodes.InvalidOption, Message = $"'{name}' is not a field of an import; fields: type, file, mapping, locale, timezoneOffset, mode, sheet, hasHeaderRow, delimiter, dryRun, encoding." });
                continue;
            }

            _fields.Add(name, await ReadFieldAsync(section, cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task<(ImportJobDto? Job, IReadOnlyList<ApiError> Problems)> StartJobAsync(string entity, string domain, IImportJobService jobs, CancellationToken cancellationToken)
    {
        if (!_fileSeen)
        {
            _problems.Add(new ApiError { Field = "file", Code = ImportProblemCodes.Required, Message = "The 'file' part is required: the CSV or XLSX file to import." });
        }

        _fields.CheckRequired();
        if (_problems.Count > 0 || _storedFileId is null)
        {
            return (null, _problems);
        }

        var file = await _files.OpenUploadAsync(_storedFileId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The upload stored a moment ago is gone from the file store.");
        await using (file.ConfigureAwait(false))
        {
            return (await jobs.StartAsync(_fields.ToRequest(entity, domain, file, _fileName), cancellationToken).ConfigureAwait(false), []);
        }
    }

    private async Task DeleteProvisionalAsync()
    {
        if (_storedFileId is not null)
        {
            await _files.DeleteAsync(_provisionalId, _storedFileId, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<string?> ReadFieldAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(section.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > ImportFormFields.MaxFieldChars)
            {
                // Drain the rest so the next part can be read.
                await section.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                return null;
            }
        }

        return text.ToString();
    }
}
