namespace DataImport.Mapping;

/// <summary>A mapping checked against an entity and a file: which 0-based column fills which property.</summary>
internal sealed class ResolvedMapping
{
    public ResolvedMapping(EntitySchema schema, IReadOnlyList<(int Column, EntityProperty Property)> columns)
    {
        Columns = columns;
        Mapped = new bool[schema.Properties.Count];
        foreach (var (_, property) in columns)
        {
            Mapped[property.Ordinal] = true;
        }
    }

    /// <summary>The mapped columns in column order.</summary>
    public IReadOnlyList<(int Column, EntityProperty Property)> Columns { get; }

    public bool[] Mapped { get; }

    /// <summary>Checks what can be checked without the file: property names, duplicates, column numbers, key and required coverage.</summary>
    public static List<ImportProblem> CheckRequest(ColumnMapping mapping, EntitySchema schema, ImportMode mode)
    {
        var problems = new List<ImportProblem>();
        if (mode != ImportMode.CreateOnly && !schema.HasKey)
        {
            problems.Add(ImportProblem.Request("mode", ImportProblemCodes.ModeNeedsKey, $"Mode {mode} needs a key to match existing records, and entity '{schema.Name}' has none; use CreateOnly."));
        }

        if (mapping.IsAutomatic)
        {
            return problems;
        }

        if (mapping.Entries.Count == 0)
        {
            problems.Add(ImportProblem.Mapping("Mapping: no column is mapped; map at least one column, e.g. {\"1\":\"Name\"}."));
            return problems;
        }

        var byProperty = new Dictionary<EntityProperty, string>();
        foreach (var entry in mapping.Entries)
        {
            var source = entry.Column is { } c ? $"column {c}" : $"header '{entry.Header}'";
            if (entry.Column is <= 0)
            {
                problems.Add(ImportProblem.Mapping($"Mapping: column {entry.Column} is not valid; columns are numbered from 1."));
            }

            if (entry.Column is null && string.IsNullOrWhiteSpace(entry.Header))
            {
                problems.Add(ImportProblem.Mapping($"Mapping: a blank header cannot be mapped by name (to '{entry.Property}'); map the column by number, e.g. {{\"3\":\"{entry.Property}\"}}."));
            }

            var property = schema.FindProperty(entry.Property?.Trim() ?? string.Empty);
            if (property is null)
            {
                problems.Add(ImportProblem.Mapping($"Mapping: {source} maps to '{entry.Property}', which is not a property of '{schema.Name}' (properties: {string.Join(", ", schema.Properties.Select(p => p.Name))})."));
                continue;
            }

            if (byProperty.TryGetValue(property, out var earlier))
            {
                problems.Add(ImportProblem.Mapping($"Mapping: property '{property.Name}' is mapped twice ({earlier} and {source}); map each property once."));
                continue;
            }

            byProperty[property] = source;
        }

        foreach (var key in schema.Key)
        {
            if (!byProperty.ContainsKey(key))
            {
                problems.Add(ImportProblem.Mapping($"Mapping: key property '{key.Name}' of '{schema.Name}' is not mapped; it is needed to match existing records."));
            }
        }

        foreach (var property in schema.Properties)
        {
            if (mode != ImportMode.UpdateOnly && property.Required && !byProperty.ContainsKey(property) && !schema.Key.Contains(property))
            {
                problems.Add(ImportProblem.Mapping($"Mapping: required property '{property.Name}' is not mapped, so no record could be created; map it, or use UpdateOnly to change existing records only."));
            }
        }

        return problems;
    }

    /// <summary>Resolves the mapping against the file's header; returns problems instead of a mapping when it does not fit.</summary>
    public static ResolvedMapping Resolve(ColumnMapping mapping, EntitySchema schema, ImportMode mode, IReadOnlyList<string> headers, bool hasHeaderRow)
    {
        var problems = CheckRequest(mapping, schema, mode);
        var columns = new List<(int Column, EntityProperty Property)>();
        var fieldCount = headers.Count;
        if (mapping.IsAutomatic)
        {
            if (!hasHeaderRow)
            {
                problems.Add(ImportProblem.Mapping("Mapping: the file has no header row, so columns must be mapped by number, e.g. {\"1\":\"Name\"}."));
            }

            for (var i = 0; i < headers.Count; i++)
            {
                var property = schema.Properties.FirstOrDefault(p => Normalise(p.Name) == Normalise(headers[i]));
                if (property is not null && columns.All(c => c.Property != property))
                {
                    columns.Add((i, property));
                }
            }

            // A property whose name two headers match would silently take the first; the user has to choose.
            foreach (var (column, property) in columns)
            {
                var matching = Enumerable.Range(0, headers.Count).Where(i => Normalise(headers[i]) == Normalise(property.Name)).ToList();
                if (matching.Count > 1)
                {
                    problems.Add(ImportProblem.Mapping(matching.All(i => string.Equals(headers[i].Trim(), headers[column].Trim(), StringComparison.OrdinalIgnoreCase))
                        ? $"Mapping: header '{headers[column].Trim()}' is in columns {ListColumns(matching)}; map it by column number."
                        : $"Mapping: headers {string.Join(", ", matching.Select(i => $"'{headers[i].Trim()}'"))} (columns {ListColumns(matching)}) all match property '{property.Name}'; map it by column number."));
                }
            }

            if (columns.Count == 0 && problems.Count == 0)
            {
                problems.Add(ImportProblem.Mapping($"Mapping: no header matches a property of '{schema.Name}' (headers: {string.Join(", ", headers)}; properties: {string.Join(", ", schema.Properties.Select(p => p.Name))})."));
            }

            foreach (var key in schema.Key.Where(k => columns.All(c => c.Property != k)))
            {
                problems.Add(ImportProblem.Mapping($"Mapping: no header matches key property '{key.Name}' of '{schema.Name}'."));
            }

            foreach (var required in schema.Properties.Where(p => mode != ImportMode.UpdateOnly && p.Required && columns.All(c => c.Property != p) && !schema.Key.Contains(p)))
            {
                problems.Add(ImportProblem.Mapping($"Mapping: no header matches required property '{required.Name}' of '{schema.Name}'."));
            }
        }
        else
        {
            foreach (var entry in mapping.Entries)
            {
                var property = schema.FindProperty(entry.Property?.Trim() ?? string.Empty);
                int index;
                if (entry.Column is { } column)
                {
                    if (column <= 0)
                    {
                        continue;
                    }

                    if (column > fieldCount)
                    {
                        problems.Add(ImportProblem.Mapping($"Mapping: column {column} → '{entry.Property}', but the file has only {fieldCount} column{(fieldCount == 1 ? "" : "s")}."));
                        continue;
                    }

                    index = column - 1;
                }
                else if (string.IsNullOrWhiteSpace(entry.Header))
                {
                    continue;
                }
                else
                {
                    var matching = Enumerable.Range(0, headers.Count)
                        .Where(i => string.Equals(headers[i].Trim(), entry.Header.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
                    index = matching.Count > 0 ? matching[0] : -1;
                    if (matching.Count > 1)
                    {
                        problems.Add(ImportProblem.Mapping($"Mapping: header '{entry.Header.Trim()}' is in columns {ListColumns(matching)}; map it by column number."));
                        continue;
                    }

                    if (index < 0)
                    {
                        problems.Add(ImportProblem.Mapping(hasHeaderRow
                            ? $"Mapping: no column has the header '{entry.Header}' (headers: {string.Join(", ", headers)})."
                            : $"Mapping: header '{entry.Header}' cannot be found because the file has no header row; map by column number."));
                        continue;
                    }
                }

                if (property is not null && columns.All(c => c.Property != property))
                {
                    columns.Add((index, property));
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ImportValidationException(problems);
        }

        columns.Sort((a, b) => a.Column.CompareTo(b.Column));
        return new ResolvedMapping(schema, columns);
    }

    /// <summary>1-based column numbers as a reader says them: "1 and 3", "1, 3 and 5".</summary>
    private static string ListColumns(List<int> indexes) =>
        string.Join(", ", indexes.Take(indexes.Count - 1).Select(i => i + 1)) + " and " + (indexes[^1] + 1);

    private static string Normalise(string text) =>
        new([.. text.Where(c => !char.IsWhiteSpace(c) && c is not '_' and not '-').Select(char.ToUpperInvariant)]);
}
