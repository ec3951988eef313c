using System.Globalization;
using DataImport.Conversion;
using DataImport.Entities;
using DataImport.Mapping;
using DataImport.Pipeline;

namespace DataImport.Validation;

/// <summary>
/// The validation stage: every rule a row must pass, in one place. Field rules (a required or key value present, a
/// text's maximum length, the allowed values) run over the converted values in column order; the entity's custom
/// validators then run over the built record. A row that fails is decided here: skipped when values are only
/// missing, an error otherwise.
/// </summary>
/// <remarks>
/// The checks a request gets before any row is read (entity, mapping, options) are <see cref="ImportRequest"/>'s and
/// <see cref="ResolvedMapping"/>'s; this class is about rows. It keeps one scratch list, so it serves one thread.
/// </remarks>
internal sealed class RowValidator
{
    private readonly ImportEntity _entity;
    private readonly bool[] _isKey;
    private readonly Dictionary<string, int> _columnOf = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ValidationProblem> _custom = [];

    // By position in the mapped columns: whether the column has a rule at all, so a column without one costs nothing.
    private readonly bool[] _hasRule;
    private readonly bool _anyRule;

    public RowValidator(ImportEntity entity, ResolvedMapping mapping)
    {
        _entity = entity;
        _isKey = new bool[entity.Schema.Properties.Count];
        foreach (var key in entity.Schema.Key)
        {
            _isKey[key.Ordinal] = true;
        }

        foreach (var (column, property) in mapping.Columns)
        {
            _columnOf.TryAdd(property.Name, column + 1);
        }

        _hasRule = [.. mapping.Columns.Select(c => HasRule(c.Property))];
        _anyRule = Array.IndexOf(_hasRule, true) >= 0;
    }

    /// <summary>
    /// Checks the converted fields of a row, reporting conversion errors and rule failures in column order; when any
    /// fails, the row's outcome is decided and <see langword="false"/> returned.
    /// </summary>
    public bool ValidateFields(RowConverter converted, PendingRow row)
    {
        var columns = converted.Columns;
        var values = converted.Values;
        var failures = converted.Failures;
        if (failures.Count == 0 && !_anyRule)
        {
            return true;
        }

        var next = failures.Count > 0 ? failures[0].Index : -1;
        var f = 0;
        for (var i = 0; i < columns.Length; i++)
        {
            ref readonly var step = ref columns[i];
            var (column, property) = (step.Column, step.Property);
            ref var value = ref values[step.Ordinal];
            if (i == next)
            {
                var failure = failures[f++];
                row.Problems.Add(new FieldProblem(failure.Code, column + 1, property.Name, failure.Message));
                next = f < failures.Count ? failures[f].Index : -1;
            }
            else if (!_hasRule[i])
            {
                continue;
            }
            else if (CheckValue(property, ref value, out var code) is { } broken)
            {
                row.Problems.Add(new FieldProblem(code, column + 1, property.Name, broken));
            }
            else if (!value.HasValue && (property.Required || _isKey[property.Ordinal]))
            {
                var keyOnly = _isKey[property.Ordinal] && !property.Required;
                row.Problems.Add(keyOnly
                    ? new FieldProblem(ImportProblemCodes.KeyRequired, column + 1, property.Name, "a key value is required to match records", MissingValue: true)
                    : new FieldProblem(ImportProblemCodes.ValueRequired, column + 1, property.Name, "a value is required", MissingValue: true));
            }
        }

        if (row.Problems.Count == 0)
        {
            return true;
        }

        // Any conversion or rule error makes the row an error; only missing values alone make it skipped.
        row.Outcome = row.Problems.TrueForAll(p => p.MissingValue) ? RowOutcome.Skipped : RowOutcome.Error;
        return false;
    }

    /// <summary>Runs the entity's custom validators over a built record; when one reports, the row is an error.</summary>
    public bool ValidateRecord(object record, PendingRow row)
    {
        _custom.Clear();
        _entity.Validate(record, _custom);
        if (_custom.Count == 0)
        {
            return true;
        }

        foreach (var problem in _custom)
        {
            int? column = problem.Property is not null && _columnOf.TryGetValue(problem.Property, out var c) ? c : null;
            row.Problems.Add(new FieldProblem(ImportProblemCodes.Custom, column, problem.Property, problem.Message));
        }

        row.Outcome = RowOutcome.Error;
        return false;
    }

    /// <summary>
    /// The rules on a value that was read: a text's maximum length, and the allowed values (a listed text takes the
    /// spelling of the list; other types compare the value written invariantly, dates as ISO 8601).
    /// </summary>
    private static string? CheckValue(EntityProperty property, ref FieldValue value, out string code)
    {
        code = ImportProblemCodes.NotAllowed;
        if (!value.HasValue)
        {
            return null;
        }

        if (property.Type == PropertyType.String)
        {
            var text = value.Text!;
            if (property.MaxLength is { } max && text.Length > max)
            {
                value.HasValue = false;
                code = ImportProblemCodes.TooLong;
                return $"'{ValueConverter.Show(text)}' is {text.Length} characters long; the maximum is {max}";
            }

            if (!property.HasAllowedValues)
            {
                return null;
            }

            foreach (var allowed in property.AllowedValues)
            {
                if (text.Equals(allowed, StringComparison.OrdinalIgnoreCase))
                {
                    value.Text = allowed;
                    return null;
                }
            }

            value.HasValue = false;
            return NotAllowed(text, property);
        }

        if (!property.HasAllowedValues || property.Type == PropertyType.Enum)
        {
            return null;
        }

        var written = Invariant(value, property.Type);
        foreach (var allowed in property.AllowedValues)
        {
            if (string.Equals(written, allowed.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        value.HasValue = false;
        return NotAllowed(written, property);
    }

    private bool HasRule(EntityProperty property) =>
        property.Required || _isKey[property.Ordinal] || property.HasAllowedValues || (property.Type == PropertyType.String && property.MaxLength is not null);

    private static string Invariant(in FieldValue value, PropertyType type) => type switch
    {
        PropertyType.Date => value.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        PropertyType.DateTime => value.DateTime.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture),
        PropertyType.Time => value.Time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(value.ToObject(type), CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string NotAllowed(string text, EntityProperty property) =>
        $"'{ValueConverter.Show(text)}' is not one of the allowed values: {string.Join(", ", property.AllowedValues)}";
}
