using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace DataImport.EntityFrameworkCore.Sinks;

/// <summary>
/// Recognises a unique-constraint violation in a failed save and words it for the user, naming the entity's properties
/// ("a record with the same Email already exists"). Providers are recognised by their exception's members, so the
/// package depends on none of them: PostgreSQL (SQLSTATE 23505 and the constraint's name) and SQLite (extended error
/// codes 2067 and 1555 and the columns its message lists). Other errors, and other providers, are not recognised.
/// </summary>
internal static class UniqueViolation
{
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    /// <summary>Returns the user's message for a unique violation, or <see langword="null"/> when <paramref name="exception"/> is not one.</summary>
    public static string? Describe(DbUpdateException exception, IEntityType entityType)
    {
        for (Exception? inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is not DbException db)
            {
                continue;
            }

            if (db.SqlState == "23505")
            {
                var constraint = db.GetType().GetProperty("ConstraintName")?.GetValue(db) as string;
                return Message(PropertiesOfConstraint(entityType, constraint));
            }

            if (db.GetType().GetProperty("SqliteExtendedErrorCode")?.GetValue(db) is int code
                && code is SqliteConstraintUnique or SqliteConstraintPrimaryKey)
            {
                return Message(PropertiesOfSqliteMessage(entityType, db.Message));
            }
        }

        return null;
    }

    private static string Message(IReadOnlyList<string> properties) => properties.Count switch
    {
        0 => "a record with the same unique values already exists",
        1 => $"a record with the same {properties[0]} already exists",
        _ => $"a record with the same {string.Join(", ", properties.SkipLast(1))} and {properties[^1]} already exists",
    };

    /// <summary>The properties of the unique index or key named <paramref name="constraint"/> in the model.</summary>
    private static IReadOnlyList<string> PropertiesOfConstraint(IEntityType entityType, string? constraint)
    {
        if (constraint is null)
        {
            return [];
        }

        foreach (var index in entityType.GetIndexes())
        {
            if (string.Equals(index.GetDatabaseName(), constraint, StringComparison.Ordinal))
            {
                return [.. index.Properties.Select(p => p.Name)];
            }
        }

        foreach (var key in entityType.GetKeys())
        {
            if (string.Equals(key.GetName(), constraint, StringComparison.Ordinal))
            {
                return [.. key.Properties.Select(p => p.Name)];
            }
        }

        return [];
    }

    /// <summary>SQLite names the columns: <c>UNIQUE constraint failed: Customers.Email, Customers.Region</c>.</summary>
    private static List<string> PropertiesOfSqliteMessage(IEntityType entityType, string message)
    {
        const string Marker = "constraint failed: ";
        var start = message.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        var list = message[(start + Marker.Length)..];
        var end = list.IndexOf('\'', StringComparison.Ordinal);
        var names = new List<string>();
        foreach (var qualified in (end >= 0 ? list[..end] : list).Split(", "))
        {
            var column = qualified[(qualified.LastIndexOf('.') + 1)..].Trim();
            var property = entityType.GetProperties().FirstOrDefault(p => string.Equals(p.GetColumnName(), column, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return [];
            }

            names.Add(property.Name);
        }

        return names;
    }
}
