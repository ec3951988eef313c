using System.Globalization;
using System.Xml;

namespace DataImport.Xlsx;

/// <summary>Which cell style indexes (cellXfs) carry a date/time number format.</summary>
internal sealed class XlsxStyles
{
    public static readonly XlsxStyles None = new([]);

    private static readonly System.Buffers.SearchValues<char> ElapsedChars = System.Buffers.SearchValues.Create("hHmMsS");

    private readonly XlsxNumberFormatKind[] _kinds;

    internal XlsxStyles(XlsxNumberFormatKind[] kinds) => _kinds = kinds;

    public bool IsDateStyle(int styleIndex) => Kind(styleIndex) == XlsxNumberFormatKind.Date;

    /// <summary>Whether the style shows an elapsed time (<c>[h]:mm:ss</c>): the number is a length of time, not a point in it.</summary>
    public bool IsDurationStyle(int styleIndex) => Kind(styleIndex) == XlsxNumberFormatKind.Duration;

    private XlsxNumberFormatKind Kind(int styleIndex) => (uint)styleIndex < (uint)_kinds.Length ? _kinds[styleIndex] : XlsxNumberFormatKind.None;

    /// <exception cref="InvalidDataException">The styles part is malformed.</exception>
    public static XlsxStyles Load(XlsxPackage package, string? partName, XmlNameTable nameTable)
    {
        if (partName is null)
        {
            return None;
        }

        var customFormats = new Dictionary<int, string>();
        var xfFormatIds = new List<int>();
        try
        {
            using var xml = package.OpenXml(partName, nameTable);
            int cellXfsDepth = -1;
            while (xml.Read())
            {
                if (xml.NodeType == XmlNodeType.EndElement && xml.LocalName == "cellXfs")
                {
                    cellXfsDepth = -1;
                    continue;
                }

                if (xml.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                string name = xml.LocalName;
                if (name == "numFmt")
                {
                    if (TryParseInt(xml.GetAttribute("numFmtId"), out int id))
                    {
                        customFormats[id] = xml.GetAttribute("formatCode") ?? string.Empty;
                    }
                }
                else if (name == "cellXfs")
                {
                    cellXfsDepth = xml.IsEmptyElement ? -1 : xml.Depth;
                }
                else if (name == "xf" && cellXfsDepth >= 0 && xml.Depth == cellXfsDepth + 1)
                {
                    xfFormatIds.Add(TryParseInt(xml.GetAttribute("numFmtId"), out int id) ? id : 0);
                }
            }
        }
        catch (XmlException ex)
        {
            throw package.NotWellFormed("styles", partName, ex);
        }

        var kinds = new XlsxNumberFormatKind[xfFormatIds.Count];
        for (int i = 0; i < kinds.Length; i++)
        {
            int id = xfFormatIds[i];
            kinds[i] = customFormats.TryGetValue(id, out var code) ? ClassifyFormatCode(code) : ClassifyBuiltIn(id);
        }

        return new XlsxStyles(kinds);
    }

    /// <summary>Built-in number formats 14–22, 45 and 47 are dates/times; 46 (<c>[h]:mm:ss</c>) is an elapsed time.</summary>
    public static XlsxNumberFormatKind ClassifyBuiltIn(int numFmtId) => numFmtId switch
    {
        46 => XlsxNumberFormatKind.Duration,
        (>= 14 and <= 22) or 45 or 47 => XlsxNumberFormatKind.Date,
        _ => XlsxNumberFormatKind.None,
    };

    /// <summary>Whether a custom format code shows a date, a time or an elapsed time (see <see cref="ClassifyFormatCode"/>).</summary>
    public static bool IsDateFormatCode(string code) => ClassifyFormatCode(code) != XlsxNumberFormatKind.None;

    /// <summary>
    /// A custom format is an elapsed time when its first section has an elapsed-time bracket ([h], [mm], [ss], …), else a
    /// date/time format when it contains d, m, y, h or s; quoted text, backslash escapes, <c>_x</c>/<c>*x</c> padding and
    /// other [bracketed] parts (colours, locales, conditions) are skipped.
    /// </summary>
    public static XlsxNumberFormatKind ClassifyFormatCode(string code)
    {
        var kind = XlsxNumberFormatKind.None;
        for (int i = 0; i < code.Length; i++)
        {
            char c = code[i];
            switch (c)
            {
                case ';':
                    return kind;
                case '"':
                    int close = code.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        return kind;
                    }

                    i = close;
                    break;
                case '\\' or '_' or '*':
                    i++;
                    break;
                case '[':
                    int end = code.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        return kind;
                    }

                    var inner = code.AsSpan(i + 1, end - i - 1);
                    if (inner.Length > 0 && inner.IndexOfAnyExcept(ElapsedChars) < 0)
                    {
                        return XlsxNumberFormatKind.Duration;
                    }

                    i = end;
                    break;
                case 'd' or 'D' or 'm' or 'M' or 'y' or 'Y' or 'h' or 'H' or 's' or 'S':
                    kind = XlsxNumberFormatKind.Date;
                    break;
                default:
                    break;
            }
        }

        return kind;
    }

    private static bool TryParseInt(string? s, out int value) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}

/// <summary>What a cell's number format makes of its number.</summary>
internal enum XlsxNumberFormatKind : byte
{
    /// <summary>A plain number.</summary>
    None,

    /// <summary>A date, a time of day, or both: a point in time as a serial in the workbook's date system.</summary>
    Date,

    /// <summary>An elapsed time (<c>[h]:mm:ss</c>): a length of time in days, whatever the date system.</summary>
    Duration,
}
