namespace DataImport.Pipeline;

/// <summary>The import modes as one decision table: what happens to a valid row, given whether its key already has a record.</summary>
internal static class ModeRules
{
    /// <summary>Decides a valid row; <paramref name="write"/> is what the sink does, or <see langword="null"/> when the row is skipped.</summary>
    public static RowOutcome Decide(ImportMode mode, bool exists, out ImportWriteKind? write)
    {
        (var outcome, write) = (mode, exists) switch
        {
            (ImportMode.CreateOnly, true) => (RowOutcome.Skipped, (ImportWriteKind?)null),
            (ImportMode.UpdateOnly, false) => (RowOutcome.Skipped, null),
            (_, true) => (RowOutcome.Updated, ImportWriteKind.Update),
            (_, false) => (RowOutcome.Created, ImportWriteKind.Create),
        };
        return outcome;
    }

    /// <summary>Why a row was skipped by its mode, naming its key.</summary>
    public static (string Code, string Message) SkipReason(bool exists, string key) => exists
        ? (ImportProblemCodes.AlreadyExists, $"already exists: a record with {key} is already there")
        : (ImportProblemCodes.NoMatch, $"no matching record with {key}");
}
