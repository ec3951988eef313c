using System.Text.Json;

namespace DataImport;

/// <summary>
/// Loads entity schemas from JSON of the form
/// <c>{"entities": [{"name": "Customer", "key": ["Email"], "properties": [{"name": "Name", "type": "string", "required": true, "maxLength": 100}]}]}</c>.
/// </summary>
/// <remarks>
/// Property types are <c>string, int, long, decimal, double, bool, date, datetime, time, guid, enum</c>
/// (also <c>integer</c>, <c>boolean</c>, <c>number</c> for <c>double</c>). An <c>enum</c> lists its <c>values</c>;
/// any property may list <c>values</c> (allowed values) and <c>formats</c> (accepted date/time formats).
/// </remarks>
public static class EntitySchemaJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Parses every entity of a schema document.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The entities in document order.</returns>
    /// <exception cref="FormatException">The JSON is malformed or describes an invalid schema; the message lists every problem with its location.</exception>
    public static IReadOnlyList<EntitySchema> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The entity schema is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var problems = new List<string>();
            var result = new List<EntitySchema>();
            var root = document.RootElement;
            JsonElement entities;
            if (root.ValueKind == JsonValueKind.Array)
            {
                entities = root;
            }
            else if (root.ValueKind == JsonValueKind.Object && TryGet(root, "entities", out entities) && entities.ValueKind == JsonValueKind.Array)
            {
            }
            else
            {
                throw new FormatException("The entity schema must be an object with an \"entities\" array.");
            }

            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var index = 0;
            foreach (var entity in entities.EnumerateArray())
            {
                var where = $"entities[{index++}]";
                var schema = ParseEntity(entity, where, problems);
                if (schema is null)
                {
                    continue;
                }

                if (!names.Add(schema.Name))
                {
                    problems.Add($"{where}: entity '{schema.Name}' is declared twice.");
                    continue;
                }

                result.Add(schema);
            }

            if (problems.Count > 0)
            {
                throw new FormatException("The entity schema is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
            }

            return result;
        }
    }

    /// <summary>Reads and parses a schema file.</summary>
    /// <param name="path">The path of the JSON file.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The entities in document order.</returns>
    /// <exception cref="FormatException">The file describes an invalid schema.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<IReadOnlyList<EntitySchema>> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text);
    }

    private static EntitySchema? ParseEntity(JsonElement entity, string where, List<string> problems)
    {
        if (entity.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: expected an object.");
            return null;
        }

        if (!TryGet(entity, "name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(nameElement.GetString()))
        {
            problems.Add($"{where}: \"name\" is required and must be a string.");
            return null;
        }

        var name = nameElement.GetString()!;
        var builder = new EntitySchemaBuilder(name);
        if (!TryGet(entity, "properties", out var properties) || properties.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{where} ('{name}'): \"properties\" is required and must be an array.");
            return null;
        }

        var i = 0;
        foreach (var property in properties.EnumerateArray())
        {
            var at = $"{where}.properties[{i++}]";
            if (property.ValueKind != JsonValueKind.Object
                || !TryGet(property, "name", out var pn) || pn.ValueKind != JsonValueKind.String)
            {
                problems.Add($"{at}: a property needs a string \"name\".");
                continue;
            }

            var typeText = TryGet(property, "type", out var pt) && pt.ValueKind == JsonValueKind.String ? pt.GetString()! : "string";
            if (!TryParseType(typeText, out var type))
            {
                problems.Add($"{at} ('{pn.GetString()}'): unknown type '{typeText}'; expected one of string, int, long, decimal, double, bool, date, datetime, time, guid, enum.");
                continue;
            }

            var required = TryGet(property, "required", out var req) && req.ValueKind == JsonValueKind.True;
            int? maxLength = null;
            if (TryGet(property, "maxLength", out var ml) && ml.ValueKind != JsonValueKind.Null)
            {
                if (ml.ValueKind == JsonValueKind.Number && ml.TryGetInt32(out var m))
                {
                    maxLength = m;
                }
                else
                {
                    problems.Add($"{at} ('{pn.GetString()}'): \"maxLength\" must be an integer.");
                }
            }

            builder.Property(pn.GetString()!, type, required, maxLength, StringArray(property, "values", at, problems), StringArray(property, "formats", at, problems));
        }

        if (TryGet(entity, "key", out var key))
        {
            if (key.ValueKind == JsonValueKind.String)
            {
                builder.Key(key.GetString()!);
            }
            else
            {
                builder.Key([.. StringArray(entity, "key", where, problems) ?? []]);
            }
        }

        try
        {
            return builder.Build();
        }
        catch (ArgumentException ex)
        {
            problems.Add($"{where}: {ex.Message}");
            return null;
        }
    }

    private static string[]? StringArray(JsonElement element, string name, string at, List<string> problems)
    {
        if (!TryGet(element, name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array || array.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            problems.Add($"{at}: \"{name}\" must be an array of strings.");
            return null;
        }

        return [.. array.EnumerateArray().Select(e => e.GetString()!)];
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    internal static bool TryParseType(string text, out PropertyType type)
    {
        switch (text.Trim().ToUpperInvariant())
        {
            case "STRING" or "TEXT": type = PropertyType.String; return true;
            case "INT" or "INTEGER" or "INT32": type = PropertyType.Int; return true;
            case "LONG" or "INT64": type = PropertyType.Long; return true;
            case "DECIMAL" or "MONEY": type = PropertyType.Decimal; return true;
            case "DOUBLE" or "NUMBER" or "FLOAT": type = PropertyType.Double; return true;
            case "BOOL" or "BOOLEAN": type = PropertyType.Bool; return true;
            case "DATE": type = PropertyType.Date; return true;
            case "DATETIME" or "TIMESTAMP": type = PropertyType.DateTime; return true;
            case "TIME": type = PropertyType.Time; return true;
            case "GUID" or "UUID": type = PropertyType.Guid; return true;
            case "ENUM": type = PropertyType.Enum; return true;
            default: type = default; return false;
        }
    }
}
