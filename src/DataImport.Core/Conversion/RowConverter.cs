using System.Globalization;
using DataImport.Entities;
using DataImport.Mapping;
using DataImport.Reading;

namespace DataImport.Conversion;

/// <summary>
/// The conversion stage: turns one raw row into typed values, one per mapped column, and the reason each value that
/// could not be read failed; then builds the record and its key from values the validation stage accepted.
/// </summary>
/// <remarks>
/// A row that ends before a mapped column reads the missing cells as empty.
/// Holds per-run scratch (the values, the errors, the string pool and compiled date formats of its
/// <see cref="ValueConverter"/>), so one converter serves one thread; converting rows on several threads means one
/// converter each. Per row it allocates nothing but the strings and records it produces.
/// </remarks>
internal sealed class RowConverter
{
    private readonly ImportEntity _entity;
    private readonly ValueConverter _values;
    private readonly bool[] _mapped;

    public RowConverter(ImportEntity entity, ResolvedMapping mapping, ValueConverter values)
    {
        _entity = entity;
        _values = values;
        _mapped = mapping.Mapped;
        Columns = [.. mapping.Columns.Select(c => values.Plan(c.Column, c.Property))];
        Values = new FieldValue[entity.Schema.Properties.Count];
    }

    /// <summary>
    /// Gets the mapped columns in column order, each worked out once per run (<see cref="ColumnStep"/>): both conversion
    /// loops and the validation stage walk it.
    /// </summary>
    public ColumnStep[] Columns { get; }

    /// <summary>Gets the last row's values, by property ordinal.</summary>
    public FieldValue[] Values { get; }

    /// <summary>
    /// Gets the last row's conversion failures in column order: the position in <see cref="Columns"/>, a code and the
    /// reason. Empty for most rows, so a row that converts cleanly writes nothing here.
    /// </summary>
    public List<(int Index, string Code, string Message)> Failures { get; } = [];

    public CultureInfo Culture => _values.Culture;

    /// <summary>Converts the current row of <paramref name="source"/> into <see cref="Values"/> and <see cref="Failures"/>.</summary>
    public void Convert(RowSource source)
    {
        if (Failures.Count > 0)
        {
            Failures.Clear();
        }

        var rowFields = source.RowFieldCount;
        if (source.IsTextOnly)
        {
            ConvertTextCells(source, rowFields);
            return;
        }

        var columns = Columns;
        for (var i = 0; i < columns.Length; i++)
        {
            ref readonly var step = ref columns[i];
            var (column, property) = (step.Column, step.Property);
            ref var value = ref Values[step.Ordinal];
            value.HasValue = false;
            string? error;
            if (column >= rowFields)
            {
                // Exporters drop trailing empty fields, and a spreadsheet opens such a row with those cells empty: so does
                // the import (a required property is then skipped with its reason, an optional one is null). The
                // not-imported file pads the row, so a re-import reads the same cells.
                continue;
            }

            var kind = source.GetKind(column);
            error = kind switch
            {
                CellKind.Empty => null,
                CellKind.Text => _values.ConvertText(source.GetText(column), property, ref value),
                CellKind.Number => _values.ConvertNumber(source.GetNumber(column), property, ref value),
                CellKind.DateTime => _values.ConvertDateTime(source.GetDateTime(column), property, ref value),
                CellKind.Boolean => _values.ConvertBoolean(source.GetBoolean(column), property, ref value),
                CellKind.Duration => _values.ConvertDuration(source.GetNumber(column), source.GetText(column), property, ref value),
                _ => $"the cell holds the spreadsheet error {source.GetText(column)}",
            };
            if (error is not null && kind == CellKind.Error)
            {
                Failures.Add((i, ImportProblemCodes.SpreadsheetError, error));
                continue;
            }

            if (error is not null)
            {
                Failures.Add((i, ImportProblemCodes.InvalidValue, error));
            }
        }
    }

    /// <summary>
    /// The loop for sources whose cells are all text (CSV), where a cell is empty exactly when its text is: each field
    /// is read once and tried on its column's shortcut (<see cref="ValueConverter.TryConvertPlain"/>) before the general
    /// conversion. It walks <see cref="Columns"/>, so the hot loop reads one element per column.
    /// </summary>
    private void ConvertTextCells(RowSource source, int rowFields)
    {
        var steps = Columns;
        var values = Values;
        for (var i = 0; i < steps.Length; i++)
        {
            ref readonly var step = ref steps[i];
            ref var value = ref values[step.Ordinal];
            if (step.Column >= rowFields)
            {
                // As in Convert: a row that ends early reads its missing cells as empty.
                value.HasValue = false;
                continue;
            }

            var text = source.GetText(step.Column);
            if (text.IsEmpty)
            {
                value.HasValue = false;
                continue;
            }

            if (_values.TryConvertPlain(text, step, ref value))
            {
                continue;
            }

            if (_values.ConvertText(text, step.Property, ref value) is { } error)
            {
                Failures.Add((i, ImportProblemCodes.InvalidValue, error));
            }
        }
    }

    /// <summary>Builds the record from <see cref="Values"/>; only mapped properties are assigned.</summary>
    public object CreateRecord() => _entity.CreateRecord(Values, _mapped);

    /// <summary>Builds the key from <see cref="Values"/>, or <see langword="null"/> when the entity has none.</summary>
    public ImportKey? CreateKey()
    {
        var keyProperties = _entity.Schema.Key;
        if (keyProperties.Count == 0)
        {
            return null;
        }

        if (keyProperties.Count == 1)
        {
            var only = keyProperties[0];
            return ImportKey.Of(Values[only.Ordinal].ToObject(only.Type));
        }

        var key = new object?[keyProperties.Count];
        for (var i = 0; i < key.Length; i++)
        {
            var property = keyProperties[i];
            key[i] = Values[property.Ordinal].ToObject(property.Type);
        }

        return new ImportKey(key);
    }
}
