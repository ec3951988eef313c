namespace DataImport.Xlsx;

/// <summary>The kind of value held by a worksheet cell of the current row of an <see cref="XlsxDataReader"/>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members name the spreadsheet cell kinds (String, DateTime, ...), which is what callers look for.")]
public enum XlsxCellType
{
    /// <summary>The cell is missing or has no value; <see cref="XlsxDataReader.GetValue(int)"/> returns <see cref="DBNull.Value"/>.</summary>
    Empty = 0,

    /// <summary>A shared, inline or formula-result string; returned as <see cref="string"/>.</summary>
    String,

    /// <summary>A number without a date format; returned as <see cref="double"/>.</summary>
    Number,

    /// <summary>A boolean cell; returned as <see cref="bool"/>.</summary>
    Boolean,

    /// <summary>A number with a date/time format, or an ISO 8601 date cell; returned as <see cref="System.DateTime"/>.</summary>
    DateTime,

    /// <summary>An error cell such as <c>#N/A</c> or <c>#DIV/0!</c>; returned as its error text.</summary>
    Error,

    /// <summary>
    /// A number with an elapsed-time format (<c>[h]:mm:ss</c>, <c>[mm]:ss</c>, built-in 46), or an ISO 8601 duration cell:
    /// returned as <see cref="System.TimeSpan"/>; <see cref="XlsxDataReader.GetDouble(int)"/> gives its length in days.
    /// </summary>
    Duration,
}
