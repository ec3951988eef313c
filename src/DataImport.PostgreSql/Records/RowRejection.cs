using System.Globalization;
using Npgsql;

namespace DataImport.PostgreSql;

/// <summary>
/// Turns the database refusing a batch into <see cref="ImportRowRejectedException"/> when the reason is about the
/// row's data (a rule the row breaks, a value that does not fit its column), in words naming the property and without
/// the server's own text. Other errors (connection, permissions, a broken table) are not the row's fault: they stay as
/// they are, so the row says to read the server log, where the engine writes them.
/// </summary>
/// <remarks>The engine splits a failing batch down to the one failing row, so these messages are written for one row.</remarks>
internal static class RowRejection
{
    public static async Task<ImportRowRejectedException?> DescribeAsync(
        PostgresException error, RecordTable table, RecordBatch batch, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var message = error.SqlState switch
        {
            PostgresErrorCodes.UniqueViolation => table.KeyColumns.Count > 0 && error.ConstraintName?.EndsWith("_pkey", StringComparison.Ordinal) == true
                ? $"a record with this {string.Join(", ", table.KeyColumns.Select(k => k.Property.Name))} already exists"
                : $"a value that must be unique is used by another record (database rule '{error.ConstraintName}')",
            PostgresErrorCodes.NotNullViolation => $"{error.ColumnName}: the database requires a value",
            PostgresErrorCodes.CheckViolation => $"the record breaks the database rule '{error.ConstraintName}'",
            PostgresErrorCodes.ForeignKeyViolation => $"the record refers to a record that does not exist (database rule '{error.ConstraintName}')",
            PostgresErrorCodes.NumericValueOutOfRange => "a number is outside the range its database column allows",
            PostgresErrorCodes.DatetimeFieldOverflow => "a date or time is outside the range its database column allows",
            PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter => NulCharacter(table, batch),
            PostgresErrorCodes.StringDataRightTruncation => await TooLongAsync(table, batch, dataSource, cancellationToken).ConfigureAwait(false),
            _ => null,
        };
        return message is null ? null : new ImportRowRejectedException(message, error);
    }

    /// <summary>PostgreSQL text cannot hold U+0000; files sometimes do.</summary>
    private static string NulCharacter(RecordTable table, RecordBatch batch) =>
        FirstValue(table, batch, (_, text) => text.Contains('\0', StringComparison.Ordinal)) is { } column
            ? $"{column.Property.Name}: the text holds a NUL character (U+0000), which PostgreSQL cannot store"
            : "a text value holds a character PostgreSQL cannot store";

    /// <summary>A value longer than its <c>varchar(n)</c> column: the table was created when the property allowed less.</summary>
    private static async Task<string> TooLongAsync(RecordTable table, RecordBatch batch, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var command = dataSource.CreateCommand(
            """
            SELECT a.attname, a.atttypmod - 4 FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypmod > 4
              AND a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype)
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = table.SchemaName });
            command.Parameters.Add(new NpgsqlParameter { Value = table.Entity.Name });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                limits[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        var length = 0;
        var limit = 0;
        var column = FirstValue(table, batch, (c, text) =>
        {
            if (limits.TryGetValue(c.Property.Name, out limit) && text.EnumerateRunes().Count() is var runes && runes > limit)
            {
                length = runes;
                return true;
            }

            return false;
        });
        return column is null
            ? "a text value is longer than its database column allows"
            : string.Create(CultureInfo.InvariantCulture, $"{column.Property.Name}: {length} characters is longer than the {limit} its database column allows");
    }

    /// <summary>The first column of the batch's rows holding a text value that matches.</summary>
    private static RecordColumn? FirstValue(RecordTable table, RecordBatch batch, Func<RecordColumn, string, bool> match)
    {
        foreach (var group in batch.Creates.Concat(batch.Updates))
        {
            foreach (var row in group.Rows)
            {
                foreach (var index in group.Columns.Indexes)
                {
                    var column = table.Columns[index];
                    if (row.ValueOf(column, -1) is string text && match(column, text))
                    {
                        return column;
                    }
                }
            }
        }

        return null;
    }
}
