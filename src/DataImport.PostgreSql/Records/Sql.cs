using System.Text;

namespace DataImport.PostgreSql;

/// <summary>Identifier quoting and checks for the SQL the record sink builds from entity and property names.</summary>
internal static class Sql
{
    /// <summary>The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); a longer one would be cut silently.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>Quotes an identifier, so any name (spaces, case, quotes) is taken as written.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Why a name cannot be a PostgreSQL identifier, or <see langword="null"/> when it can.</summary>
    public static string? IdentifierProblem(string what, string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return $"{what} is empty.";
        }

        if (name.Contains('\0', StringComparison.Ordinal))
        {
            return $"{what} '{name.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a NUL character.";
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes > MaxIdentifierBytes
            ? $"{what} '{name}' is {bytes} bytes long in UTF-8; PostgreSQL names hold at most {MaxIdentifierBytes}."
            : null;
    }
}
