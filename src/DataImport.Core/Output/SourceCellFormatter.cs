using System.Globalization;
using DataImport.Conversion;
using DataImport.Reading;

namespace DataImport.Output;

/// <summary>
/// Writes a source cell as text for the not-imported file, the same way for every reader: source text unchanged;
/// typed cells (numbers, booleans, dates of a workbook) written so they parse back to the same value under the
/// request's culture and offset.
/// </summary>
internal static class SourceCellFormatter
{
    public static void Append(RowSource source, int ordinal, CultureInfo culture, RawRowArena arena)
    {
        switch (source.GetKind(ordinal))
        {
            case CellKind.Empty:
                arena.Append([]);
                break;
            case CellKind.Number or CellKind.Duration:
                var number = source.GetNumber(ordinal);
                Span<char> buffer = stackalloc char[64];
                arena.Append(number.TryFormat(buffer, out var written, "R", culture) ? buffer[..written] : number.ToString("R", culture));
                break;
            case CellKind.Boolean:
                arena.Append(source.GetBoolean(ordinal) ? "TRUE" : "FALSE");
                break;
            case CellKind.DateTime:
                arena.Append(ValueConverter.FormatLocal(source.GetDateTime(ordinal)));
                break;
            default:
                arena.Append(source.GetText(ordinal));
                break;
        }
    }
}
