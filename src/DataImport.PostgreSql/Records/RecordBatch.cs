namespace DataImport.PostgreSql;

/// <summary>
/// A batch of writes folded into what the database must end up with: one row per create (written by <c>COPY</c>) and
/// one per updated key (written by one <c>UPDATE</c>), each with the columns it sets.
/// </summary>
/// <remarks>
/// Writes come in file order and one key may appear several times: a create then updates of the same key (a file
/// creating a record and changing it a few rows later), or several updates. Folding them in order gives the final
/// values, so the creates can all go first in one <c>COPY</c> and the updates in one statement: a create followed by
/// updates becomes one create whose mapped columns hold the last values; updates of one key become one update of the
/// union of their mapped columns, later values winning.
/// </remarks>
internal sealed class RecordBatch
{
    private RecordBatch(IReadOnlyList<RowGroup> creates, IReadOnlyList<RowGroup> updates)
    {
        Creates = creates;
        Updates = updates;
    }

    /// <summary>Gets the creates, grouped by the columns they set (one group unless the writes mapped different properties).</summary>
    public IReadOnlyList<RowGroup> Creates { get; }

    /// <summary>Gets the updates, one row per key, grouped by the columns they set.</summary>
    public IReadOnlyList<RowGroup> Updates { get; }

    /// <summary>
    /// The columns of a batch whose writes are all creates mapping the same properties (the engine passes one list for a
    /// whole job), which needs no folding: its writes go to <c>COPY</c> as they are. <see langword="null"/> otherwise.
    /// </summary>
    public static ColumnSet? CreatesOnly(RecordTable table, IReadOnlyList<ImportWrite<ImportRecord>> writes)
    {
        if (writes.Count == 0)
        {
            return null;
        }

        var mapped = writes[0].MappedProperties;
        foreach (var write in writes)
        {
            if (write.Kind != ImportWriteKind.Create || !ReferenceEquals(write.MappedProperties, mapped))
            {
                return null;
            }
        }

        var resolver = new ColumnResolver(table);
        return resolver.WithKey(resolver.Resolve(mapped));
    }

    /// <summary>Folds the writes of a batch.</summary>
    /// <exception cref="ArgumentException">An update has no key, or a write names a property the entity does not have.</exception>
    public static RecordBatch Plan(RecordTable table, IReadOnlyList<ImportWrite<ImportRecord>> writes)
    {
        var rows = new List<PlannedRow>(writes.Count);
        var byKey = table.KeyColumns.Count > 0 ? new Dictionary<ImportKey, PlannedRow>(writes.Count) : null;
        var resolver = new ColumnResolver(table);
        foreach (var write in writes)
        {
            var columns = resolver.Resolve(write.MappedProperties);
            if (write.Kind == ImportWriteKind.Create)
            {
                var row = new PlannedRow(ImportWriteKind.Create, write.Key, write.Record, resolver.WithKey(columns));
                rows.Add(row);
                if (write.Key is not null && byKey is not null)
                {
                    byKey[write.Key] = row;
                }

                continue;
            }

            if (write.Key is null || byKey is null)
            {
                throw new ArgumentException($"Row {write.Row}: an update of entity '{table.Entity.Name}' came without a key; only an entity with a key can be updated.", nameof(writes));
            }

            if (byKey.TryGetValue(write.Key, out var earlier))
            {
                earlier.Fold(table, write.Record, columns);
            }
            else
            {
                var row = new PlannedRow(ImportWriteKind.Update, write.Key, write.Record, columns);
                rows.Add(row);
                byKey[write.Key] = row;
            }
        }

        return new RecordBatch(Group(rows, ImportWriteKind.Create), Group(rows, ImportWriteKind.Update));
    }

    private static List<RowGroup> Group(List<PlannedRow> rows, ImportWriteKind kind)
    {
        // Rows of one batch nearly always set the same columns: the group of the row before is tried first.
        var groups = new List<RowGroup>(1);
        RowGroup? group = null;
        foreach (var row in rows)
        {
            if (row.Kind != kind)
            {
                continue;
            }

            if (group is null || !group.Columns.SameAs(row.Columns))
            {
                group = FindGroup(groups, row.Columns);
                if (group is null)
                {
                    group = new RowGroup(row.Columns, groups.Count == 0 ? rows.Count : 0);
                    groups.Add(group);
                }
            }

            group.Rows.Add(row);
        }

        return groups;
    }

    private static RowGroup? FindGroup(List<RowGroup> groups, ColumnSet columns)
    {
        foreach (var group in groups)
        {
            if (group.Columns.SameAs(columns))
            {
                return group;
            }
        }

        return null;
    }
}

/// <summary>Rows of a batch that set the same columns, so one statement writes them all.</summary>
internal sealed class RowGroup(ColumnSet columns, int capacity)
{
    public ColumnSet Columns { get; } = columns;

    public List<PlannedRow> Rows { get; } = new(capacity);
}

/// <summary>One database row to create or update, with the final values of the columns it sets.</summary>
internal sealed class PlannedRow(ImportWriteKind kind, ImportKey? key, ImportRecord record, ColumnSet columns)
{
    private bool _ownsRecord;

    public ImportWriteKind Kind { get; } = kind;

    public ImportKey? Key { get; } = key;

    public ImportRecord Record { get; private set; } = record;

    public ColumnSet Columns { get; private set; } = columns;

    /// <summary>The value to write to a column: the record's, or for a key column the write's key.</summary>
    public object? ValueOf(RecordColumn column, int keyPosition)
    {
        if (Record.TryGetValue(column.Property, out var value))
        {
            return value;
        }

        return keyPosition >= 0 && Key is not null ? Key[keyPosition] : null;
    }

    /// <summary>Reads every value of a record by property position (what <c>COPY</c> needs for each row), not by name.</summary>
    public static void ReadInto(ImportRecord record, IReadOnlyList<RecordColumn> columns, object?[] values, bool[] present)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            present[i] = record.TryGetValue(columns[i].Property, out values[i]);
        }
    }

    /// <summary>Applies a later update of the same key: its mapped columns take its values (absent ones become empty).</summary>
    public void Fold(RecordTable table, ImportRecord update, ColumnSet columns)
    {
        if (!_ownsRecord)
        {
            // The engine's record stays as the engine built it: a failed batch is split and written again.
            Record = Record.Clone();
            _ownsRecord = true;
        }

        foreach (var index in columns.Indexes)
        {
            var name = table.Columns[index].Property.Name;
            Record[name] = update.TryGetValue(name, out var value) ? value : null;
        }

        Columns = ColumnResolver.Union(Columns, columns);
    }
}
