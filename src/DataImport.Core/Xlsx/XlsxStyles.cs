using System.Globalization;
using System.Xml;

namespace DataImport;

/// <summary>Which cell style indexes (cellXfs) carry a date/time number format.</summary>
internal sealed class XlsxStyles
{
    public static readonly XlsxStyles None = new([]);

    private static readonly System.Buffers.SearchValues<char> ElapsedChars = System.Buffers.SearchValues.Create("hHmMsS");

    private readonly bool[] _dateStyles;

    internal XlsxStyles(bool[] dateStyles) => _dateStyles = dateStyles;

    public bool IsDateStyle(int styleIndex) => (uint)styleIndex < (uint)_dateStyles.Length && _dateStyles[styleIndex];

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

        var dates = new bool[xfFormatIds.Count];
        for (int i = 0; i < dates.Length; i++)
        {
            int id = xfFormatIds[i];
            dates[i] = customFormats.TryGetValue(id, out var code) ? IsDateFormatCode(code) : IsBuiltInDateFormat(id);
        }

        return new XlsxStyles(dates);
    }

    /// <summary>Built-in number formats 14–22 and 45–47 are dates/times.</summary>
    public static bool IsBuiltInDateFormat(int numFmtId) => numFmtId is (>= 14 and <= 22) or (>= 45 and <= 47);

    /// <summary>
    /// A custom format is a date/time format when its first section contains d, m, y, h or s outside quoted text,
    /// backslash escapes, <c>_x</c>/<c>*x</c> padding and [bracketed] parts; the elapsed-time brackets [h], [m], [s] count as time.
    /// </summary>
    public static bool IsDateFormatCode(string code)
    {
        for (int i = 0; i < code.Length; i++)
        {
            char c = code[i];
            switch (c)
            {
                case ';':
                    return false;
                case '"':
                    int close = code.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        return false;
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
                        return false;
                    }

                    var inner = code.AsSpan(i + 1, end - i - 1);
                    if (inner.Length > 0 && inner.IndexOfAnyExcept(ElapsedChars) < 0)
                    {
                        return true;
                    }

                    i = end;
                    break;
                case 'd' or 'D' or 'm' or 'M' or 'y' or 'Y' or 'h' or 'H' or 's' or 'S':
                    return true;
                default:
                    break;
            }
        }

        return false;
    }

    private static bool TryParseInt(string? s, out int value) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}
