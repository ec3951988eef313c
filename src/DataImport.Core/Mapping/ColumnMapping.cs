using System.Globalization;
using System.Text.Json;

namespace DataImport;

/// <summary>
/// Maps file columns to entity properties: by 1-based column index (the seed's <c>{"1":"Name"}</c>), or by
/// header name as a convenience. Unmapped columns are ignored.
/// </summary>
public sealed class ColumnMapping
{
    private readonly List<ColumnMappingEntry> _entries = [];

    /// <summary>Gets a mapping that maps every column whose header equals a property name (ignoring case, spaces, <c>_</c> and <c>-</c>).</summary>
    public static ColumnMapping ByHeaderName => new() { IsAutomatic = true };

    /// <summary>Gets a value indicating whether columns are matched to properties by header name automatically.</summary>
    public bool IsAutomatic { get; private init; }

    /// <summary>Gets the entries in the order they were added.</summary>
    public IReadOnlyList<ColumnMappingEntry> Entries => _entries;

    /// <summary>Maps a column, numbered from 1, to a property.</summary>
    /// <param name="column">The column number, from 1.</param>
    /// <param name="property">The property name.</param>
    /// <returns>This mapping.</returns>
    public ColumnMapping Map(int column, string property)
    {
        _entries.Add(new ColumnMappingEntry(column, null, property));
        return this;
    }

    /// <summary>Maps the column with a header to a property.</summary>
    /// <param name="header">The header text (compared ignoring case and surrounding spaces).</param>
    /// <param name="property">The property name.</param>
    /// <returns>This mapping.</returns>
    public ColumnMapping Map(string header, string property)
    {
        _entries.Add(new ColumnMappingEntry(null, header, property));
        return this;
    }

    /// <summary>Parses a JSON object of column → property, e.g. <c>{"1":"Name","2":"Email"}</c>; keys that are not numbers are header names.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="ImportValidationException">The JSON is not an object of string values; the message says where.</exception>
    public static ColumnMapping Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ImportValidationException([ImportProblem.Mapping("Mapping: expected a JSON object of column number to property name, e.g. {\"1\":\"Name\",\"2\":\"Email\"}.")]);
            }

            var mapping = new ColumnMapping();
            var problems = new List<ImportProblem>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(entry.Value.GetString()))
                {
                    problems.Add(ImportProblem.Mapping($"Mapping: column \"{entry.Name}\" must map to a property name (a non-empty string)."));
                    continue;
                }

                if (int.TryParse(entry.Name.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var column))
                {
                    mapping.Map(column, entry.Value.GetString()!);
                }
                else
                {
                    mapping.Map(entry.Name, entry.Value.GetString()!);
                }
            }

            return problems.Count > 0 ? throw new ImportValidationException(problems) : mapping;
        }
        catch (JsonException ex)
        {
            throw new ImportValidationException([ImportProblem.Mapping($"Mapping: not valid JSON ({ex.Message}).")]);
        }
    }

    /// <inheritdoc />
    public override string ToString() => IsAutomatic
        ? "(by header name)"
        : "{" + string.Join(", ", _entries.Select(e => $"\"{e.Column?.ToString(CultureInfo.InvariantCulture) ?? e.Header}\": \"{e.Property}\"")) + "}";
}

/// <summary>One mapping entry: a column given by number or header, and the property it fills.</summary>
/// <param name="Column">The column number from 1, or <see langword="null"/> when given by header.</param>
/// <param name="Header">The header text, or <see langword="null"/> when given by number.</param>
/// <param name="Property">The property name.</param>
public readonly record struct ColumnMappingEntry(int? Column, string? Header, string Property);
