namespace DataImport.PostgreSql;

/// <summary>A set of property columns, by their index in the entity, in ascending order.</summary>
internal sealed class ColumnSet(int[] indexes)
{
    public int[] Indexes { get; } = indexes;

    public bool SameAs(ColumnSet other) => ReferenceEquals(this, other) || Indexes.AsSpan().SequenceEqual(other.Indexes);
}

/// <summary>Turns a write's mapped property names into a <see cref="ColumnSet"/>, once per distinct list (the engine passes one list for a whole job).</summary>
internal sealed class ColumnResolver(RecordTable table)
{
    private IReadOnlyList<string>? _lastNames;
    private ColumnSet? _last;
    private ColumnSet? _lastWithKey;

    public ColumnSet Resolve(IReadOnlyList<string> names)
    {
        if (ReferenceEquals(names, _lastNames) && _last is not null)
        {
            return _last;
        }

        var indexes = new SortedSet<int>();
        foreach (var name in names)
        {
            indexes.Add(table.Column(name).Index);
        }

        _lastNames = names;
        _lastWithKey = null;
        return _last = new ColumnSet([.. indexes]);
    }

    /// <summary>The columns of a create: the mapped ones and the key (a key is always written).</summary>
    public ColumnSet WithKey(ColumnSet columns)
    {
        if (ReferenceEquals(columns, _last) && _lastWithKey is not null)
        {
            return _lastWithKey;
        }

        var result = table.KeyColumns.All(k => columns.Indexes.Contains(k.Index))
            ? columns
            : new ColumnSet([.. columns.Indexes.Union(table.KeyColumns.Select(k => k.Index)).Order()]);
        if (ReferenceEquals(columns, _last))
        {
            _lastWithKey = result;
        }

        return result;
    }

    public static ColumnSet Union(ColumnSet a, ColumnSet b) =>
        a.SameAs(b) || b.Indexes.All(a.Indexes.Contains) ? a : new ColumnSet([.. a.Indexes.Union(b.Indexes).Order()]);
}
