using System.Globalization;

namespace DataImport.AspNetCore;

/// <summary>
/// The text fields of an import form, each checked as it arrives (values are trimmed first), so a bad field sent before
/// the file is known before the file is read. Every problem is reported once, in the order the fields came.
/// </summary>
internal sealed class ImportFormFields
{
    /// <summary>The longest field accepted, in characters.</summary>
    public const int MaxFieldChars = 64 * 1024;

    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "type", "mapping", "locale", "timezoneOffset", "mode", "sheet", "hasHeaderRow", "delimiter", "dryRun", "encoding",
    };

    private readonly List<ApiError> _problems;
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);
    private string? _type;
    private ColumnMapping? _mapping;
    private string? _locale;
    private int _timezoneOffset;
    private ImportMode _mode = ImportMode.CreateAndUpdate;
    private string? _sheet;
    private bool _hasHeaderRow = true;
    private char? _delimiter;
    private string? _encoding;
    private bool _dryRun;

    public ImportFormFields(List<ApiError> problems) => _problems = problems;

    public static bool IsField(string name) => Names.Contains(name);

    /// <summary>Checks one field and keeps its value.</summary>
    /// <param name="name">A name <see cref="IsField"/> accepts.</param>
    /// <param name="text">The value, or <see langword="null"/> when it was longer than <see cref="MaxFieldChars"/>.</param>
    public void Add(string name, string? text)
    {
        if (!_seen.Add(name))
        {
            Problem(name, $"The field '{name}' is sent more than once; send it once.");
            return;
        }

        if (text is null)
        {
            Problem(name, $"The field '{name}' is longer than {MaxFieldChars:N0} characters.");
            return;
        }

        var value = text.Trim();
        if (value.Length == 0)
        {
            // An empty field is a field not sent: the default applies, and a required one is reported missing.
            _seen.Remove(name);
            return;
        }

        switch (name.ToLowerInvariant())
        {
            case "type": _type = value.ToLowerInvariant(); break;
            case "mapping": Mapping(value); break;
            case "locale": Locale(value); break;
            case "timezoneoffset": TimezoneOffset(value); break;
            case "mode": Mode(value); break;
            case "sheet": _sheet = value; break;
            case "hasheaderrow": _hasHeaderRow = Flag("hasHeaderRow", value, _hasHeaderRow); break;
            case "delimiter": Delimiter(value); break;
            case "encoding": _encoding = value; break;
            case "dryrun": _dryRun = Flag("dryRun", value, _dryRun); break;
        }
    }

    /// <summary>Reports the required fields that were not sent (those sent and refused are reported already).</summary>
    public void CheckRequired()
    {
        if (_type is null && !_seen.Contains("type"))
        {
            Problem("type", "The 'type' field is required: csv or xlsx.", ImportProblemCodes.Required);
        }

        if (_mapping is null && !_seen.Contains("mapping"))
        {
            Problem("mapping", "The 'mapping' field is required: a JSON object of column number to property, e.g. {\"1\":\"Name\",\"2\":\"Email\"}.", ImportProblemCodes.Required);
        }
    }

    /// <summary>The request of the fields; call it only when no problem was reported.</summary>
    public ImportRequest ToRequest(string entity, string domain, Stream file, string? fileName) => new()
    {
        Entity = entity,
        Domain = domain,
        FileType = _type!,
        File = file,
        FileName = string.IsNullOrEmpty(fileName) ? $"upload.{_type}" : fileName,
        Mapping = _mapping!,
        Locale = _locale,
        TimezoneOffset = _timezoneOffset,
        Mode = _mode,
        Sheet = _sheet,
        HasHeaderRow = _hasHeaderRow,
        Delimiter = _delimiter,
        Encoding = _encoding,
        DryRun = _dryRun,
    };

    private void Mapping(string json)
    {
        try
        {
            _mapping = ColumnMapping.Parse(json);
        }
        catch (ImportValidationException ex)
        {
            _problems.AddRange(ex.Problems.Select(p => ApiError.From(p, "mapping")));
        }
    }

    private void Locale(string name)
    {
        try
        {
            _ = CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            _locale = name;
        }
        catch (CultureNotFoundException)
        {
            Problem("locale", $"'{name}' is not a known locale, e.g. en-US or de-DE.");
        }
    }

    private void TimezoneOffset(string text)
    {
        const int max = ImportRequest.MaxTimezoneOffsetMinutes;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && Math.Abs(minutes) <= max && minutes == Math.Floor(minutes))
        {
            _timezoneOffset = (int)minutes;
        }
        else
        {
            Problem("timezoneOffset", $"'{text}' is not a timezone offset: a whole number of minutes east of UTC between -{max} and {max}, e.g. 60.");
        }
    }

    private void Mode(string text)
    {
        // By name only: Enum.TryParse would also take "1" or "7", numbers no client should depend on.
        var name = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (Enum.GetNames<ImportMode>().FirstOrDefault(n => n.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } known)
        {
            _mode = Enum.Parse<ImportMode>(known);
        }
        else
        {
            Problem("mode", $"'{text}' is not an import mode: CreateOnly, UpdateOnly or CreateAndUpdate.");
        }
    }

    private void Delimiter(string text)
    {
        var d = text is "\\t" or "tab" ? "\t" : text;
        if (d.Length != 1)
        {
            Problem("delimiter", $"'{text}' is not a delimiter: one character, or \\t for tab.");
        }
        else if (char.IsLetterOrDigit(d[0]) || d[0] == '"')
        {
            Problem("delimiter", $"'{text}' cannot be a delimiter: letters, digits and the quote are part of values; use , ; | or \\t for tab.");
        }
        else
        {
            _delimiter = d[0];
        }
    }

    private bool Flag(string name, string value, bool fallback)
    {
        switch (value.ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on": return true;
            case "false" or "0" or "no" or "off": return false;
            default:
                Problem(name, $"'{value}' is not a boolean for '{name}': true or false.");
                return fallback;
        }
    }

    private void Problem(string field, string message, string code = ImportProblemCodes.InvalidOption) =>
        _problems.Add(new ApiError { Field = field, Code = code, Message = message });
}
