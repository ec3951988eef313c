namespace DataImport;

/// <summary>How rows are matched against existing records, applied as if rows were processed one at a time in file order.</summary>
public enum ImportMode
{
    /// <summary>A row without a matching record creates one; a row with a match is skipped ("already exists").</summary>
    CreateOnly,

    /// <summary>A row with a matching record updates it; a row without is skipped ("no matching record").</summary>
    UpdateOnly,

    /// <summary>A row with a matching record updates it; a row without creates one.</summary>
    CreateAndUpdate,
}
