namespace DataImport;

/// <summary>The stable codes of <see cref="ImportProblem.Code"/>. New codes may be added; existing ones never change.</summary>
public static class ImportProblemCodes
{
    /// <summary>A request field that must be given is missing (<see cref="ImportProblem.Field"/> names it).</summary>
    public const string Required = "required";

    /// <summary>A request field has a value out of its range or not in its list (<see cref="ImportProblem.Field"/> names it).</summary>
    public const string InvalidOption = "invalid_option";

    /// <summary>The entity is not registered.</summary>
    public const string UnknownEntity = "unknown_entity";

    /// <summary>No reader is registered for the file type.</summary>
    public const string UnsupportedFileType = "unsupported_file_type";

    /// <summary>The mode needs a key the entity does not have.</summary>
    public const string ModeNeedsKey = "mode_needs_key";

    /// <summary>The mapping does not fit the entity or the file: an unknown property or header, a column out of range, a property mapped twice, a key or required property not mapped.</summary>
    public const string InvalidMapping = "invalid_mapping";

    /// <summary>The sink given writes records of another type than the entity's.</summary>
    public const string SinkTypeMismatch = "sink_type_mismatch";

    /// <summary>A value could not be read as the property's type.</summary>
    public const string InvalidValue = "invalid_value";

    /// <summary>A required value is empty: the row is skipped.</summary>
    public const string ValueRequired = "value_required";

    /// <summary>A key value is empty, so the row cannot be matched: the row is skipped.</summary>
    public const string KeyRequired = "key_required";

    /// <summary>A text is longer than the property's maximum length.</summary>
    public const string TooLong = "too_long";

    /// <summary>A value is not one of the property's allowed values.</summary>
    public const string NotAllowed = "not_allowed";

    /// <summary>The cell holds a spreadsheet error such as <c>#N/A</c>.</summary>
    public const string SpreadsheetError = "spreadsheet_error";

    /// <summary>A custom validator of the host reported the problem.</summary>
    public const string Custom = "custom";

    /// <summary>The row's key already has a record and the mode only creates: the row is skipped.</summary>
    public const string AlreadyExists = "already_exists";

    /// <summary>The row's key has no record and the mode only updates: the row is skipped.</summary>
    public const string NoMatch = "no_match";

    /// <summary>The sink refused the row.</summary>
    public const string NotSaved = "not_saved";

    /// <summary>The file cannot be read as its type: malformed, encrypted, corrupt or over a limit.</summary>
    public const string InvalidFile = "invalid_file";

    /// <summary>The import stopped early: over the row limit or the error budget.</summary>
    public const string Stopped = "stopped";

    /// <summary>The import stopped on an error it did not expect (a bug or an outage); the message says what, the log has the details.</summary>
    public const string Unexpected = "unexpected";
}
