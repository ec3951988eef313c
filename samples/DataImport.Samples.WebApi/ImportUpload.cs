using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace DataImport.Samples.WebApi;

/// <summary>
/// Reads the import's <c>multipart/form-data</c> body section by section, never holding the file in memory. When the
/// <c>file</c> part comes after <c>type</c> and <c>mapping</c> (as <c>curl -F</c> and most clients send it when listed last),
/// its stream goes straight to <see cref="IImportJobService.StartAsync"/>, which copies it to the file store. A file sent
/// before them is spooled to a temporary file first, because the job cannot be checked without them.
/// </summary>
internal sealed class ImportUpload
{
    private const int MaxFieldChars = 64 * 1024;

    private static readonly HashSet<string> KnownFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "type", "mapping", "locale", "timezoneOffset", "mode", "sheet", "hasHeaderRow", "delimiter", "dryRun", "encoding",
    };

    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ApiError> _problems = [];
    private readonly string _entity;
    private readonly string _domain;
    private readonly string _spoolFolder;
    private string? _fileName;
    private bool _fileSeen;
    private bool _built;

    private ImportUpload(string entity, string domain, string spoolFolder)
    {
        _entity = entity;
        _domain = domain;
        _spoolFolder = spoolFolder;
    }

    /// <summary>Reads the body and starts the job.</summary>
    /// <returns>The queued job, or the problems of the request (400).</returns>
    public static async Task<(ImportJobDto? Job, IReadOnlyList<ApiError> Problems)> StartAsync(
        HttpRequest request, string entity, string domain, IImportJobService jobs, string spoolFolder, CancellationToken cancellationToken)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            return (null, [new ApiError("Content-Type", "The multipart/form-data content type has no boundary.")]);
        }

        var upload = new ImportUpload(entity, domain, spoolFolder);
        return await upload.ReadAsync(new MultipartReader(boundary, request.Body) { BodyLengthLimit = null }, jobs, cancellationToken);
    }

    private async Task<(ImportJobDto? Job, IReadOnlyList<ApiError> Problems)> ReadAsync(MultipartReader reader, IImportJobService jobs, CancellationToken cancellationToken)
    {
        ImportJobDto? job = null;
        FileStream? spooled = null;
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    _problems.Add(new ApiError(null, "Every part of the body must be a form-data part with a name."));
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                if (name.Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    if (_fileSeen)
                    {
                        _problems.Add(new ApiError("file", "Send one file per import."));
                        continue;
                    }

                    _fileSeen = true;
                    _fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value);
                    if (_problems.Count == 0 && _fields.ContainsKey("type") && _fields.ContainsKey("mapping") && Build(section.Body) is { } direct)
                    {
                        job = await jobs.StartAsync(direct, cancellationToken);
                    }
                    else if (_problems.Count > 0)
                    {
                        // The request is refused anyway; read past the file without keeping it.
                        await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                    }
                    else
                    {
                        Directory.CreateDirectory(_spoolFolder);
                        spooled = new FileStream(Path.Combine(_spoolFolder, Guid.NewGuid().ToString("N") + ".spool"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81_920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                        await section.Body.CopyToAsync(spooled, cancellationToken);
                        spooled.Position = 0;
                    }

                    continue;
                }

                if (!KnownFields.Contains(name))
                {
                    _problems.Add(new ApiError(name, $"'{name}' is not a field of an import; fields: type, file, mapping, locale, timezoneOffset, mode, sheet, hasHeaderRow, delimiter, dryRun."));
                    continue;
                }

                var value = await ReadFieldAsync(section, cancellationToken);
                if (value is null)
                {
                    _problems.Add(new ApiError(name, $"The field '{name}' is longer than {MaxFieldChars:N0} characters."));
                }
                else if (job is not null)
                {
                    _problems.Add(new ApiError(name, $"The field '{name}' came after the file; send the file part last."));
                }
                else
                {
                    _fields[name] = value;
                }
            }

            if (job is not null)
            {
                if (_problems.Count > 0)
                {
                    // The job was queued from a body that then turned out wrong: take it back.
                    await jobs.CancelAsync(_domain, job.Id, CancellationToken.None);
                    return (null, _problems);
                }

                return (job, []);
            }

            if (!_fileSeen)
            {
                _problems.Add(new ApiError("file", "The 'file' part is required: the CSV or XLSX file to import."));
            }

            var request = _built ? null : Build(spooled ?? Stream.Null);
            if (request is null || _problems.Count > 0)
            {
                return (null, _problems);
            }

            return (await jobs.StartAsync(request, cancellationToken), []);
        }
        finally
        {
            if (spooled is not null)
            {
                await spooled.DisposeAsync();
            }
        }
    }

    private ImportRequest? Build(Stream file)
    {
        _built = true;
        var problems = new List<ApiError>();
        var type = Field("type")?.ToLowerInvariant();
        if (string.IsNullOrEmpty(type))
        {
            problems.Add(new ApiError("type", "The 'type' field is required: csv or xlsx."));
        }

        var mapping = ColumnMapping.ByHeaderName;
        if (Field("mapping") is not { Length: > 0 } mappingJson)
        {
            problems.Add(new ApiError("mapping", "The 'mapping' field is required: a JSON object of column number to property, e.g. {\"1\":\"Name\",\"2\":\"Email\"}."));
        }
        else
        {
            try
            {
                mapping = ColumnMapping.Parse(mappingJson);
            }
            catch (ImportValidationException ex)
            {
                problems.AddRange(ex.Problems.Select(p => new ApiError(p.Field ?? "mapping", p.Message)));
            }
        }

        var offset = 0;
        if (Field("timezoneOffset") is { Length: > 0 } offsetText)
        {
            if (double.TryParse(offsetText, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && Math.Abs(minutes) <= 24 * 60 && minutes == Math.Floor(minutes))
            {
                offset = (int)minutes;
            }
            else
            {
                problems.Add(new ApiError("timezoneOffset", $"'{offsetText}' is not a timezone offset: a whole number of minutes east of UTC between -1440 and 1440, e.g. 60."));
            }
        }

        var mode = ImportMode.CreateAndUpdate;
        if (Field("mode") is { Length: > 0 } modeText
            && !(Enum.TryParse(modeText.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out mode) && Enum.IsDefined(mode)))
        {
            problems.Add(new ApiError("mode", $"'{modeText}' is not an import mode: CreateOnly, UpdateOnly or CreateAndUpdate."));
        }

        var hasHeaderRow = Flag("hasHeaderRow", true, problems);
        var dryRun = Flag("dryRun", false, problems);
        char? delimiter = null;
        if (Field("delimiter") is { Length: > 0 } delimiterText)
        {
            var d = delimiterText is "\\t" or "tab" ? "\t" : delimiterText;
            if (d.Length == 1)
            {
                delimiter = d[0];
            }
            else
            {
                problems.Add(new ApiError("delimiter", $"'{delimiterText}' is not a delimiter: one character, or \\t for tab."));
            }
        }

        string? locale = Field("locale") is { Length: > 0 } localeText ? localeText : null;
        if (locale is not null)
        {
            try
            {
                _ = CultureInfo.GetCultureInfo(locale, predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                problems.Add(new ApiError("locale", $"'{locale}' is not a known locale, e.g. en-US or de-DE."));
            }
        }

        _problems.AddRange(problems);
        if (problems.Count > 0)
        {
            return null;
        }

        return new ImportRequest
        {
            Entity = _entity,
            Domain = _domain,
            FileType = type!,
            File = file,
            FileName = string.IsNullOrEmpty(_fileName) ? $"upload.{type}" : _fileName,
            Mapping = mapping,
            Locale = locale,
            TimezoneOffset = offset,
            Mode = mode,
            Sheet = Field("sheet") is { Length: > 0 } sheet ? sheet : null,
            HasHeaderRow = hasHeaderRow,
            Delimiter = delimiter,
            Encoding = Field("encoding") is { Length: > 0 } encoding ? encoding : null,
            DryRun = dryRun,
        };
    }

    private string? Field(string name) => _fields.TryGetValue(name, out var value) ? value.Trim() : null;

    private bool Flag(string name, bool fallback, List<ApiError> problems)
    {
        switch (Field(name)?.ToLowerInvariant())
        {
            case null or "": return fallback;
            case "true" or "1" or "yes" or "on": return true;
            case "false" or "0" or "no" or "off": return false;
            default:
                problems.Add(new ApiError(name, $"'{Field(name)}' is not a boolean for '{name}': true or false."));
                return fallback;
        }
    }

    private static async Task<string?> ReadFieldAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(section.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > MaxFieldChars)
            {
                // Drain the rest so the next part can be read.
                await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                return null;
            }
        }

        return text.ToString();
    }
}
