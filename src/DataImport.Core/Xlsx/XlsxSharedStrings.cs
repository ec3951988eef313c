using System.Text;
using System.Xml;

namespace DataImport.Xlsx;

/// <summary>The shared-string table (xl/sharedStrings.xml), loaded once into memory within the configured limits.</summary>
internal static class XlsxSharedStrings
{
    /// <exception cref="InvalidDataException">The part is malformed or over the MaxSharedStrings / MaxSharedStringBytes limits.</exception>
    public static string[] Load(XlsxPackage package, string? partName, XmlNameTable nameTable, XlsxReaderOptions options)
    {
        if (partName is null)
        {
            return [];
        }

        var atoms = new XlsxAtoms(nameTable);
        var list = new List<string>();
        var builder = new StringBuilder();
        long chars = 0;
        long maxChars = options.MaxSharedStringBytes / 2;
        try
        {
            using var xml = package.OpenXml(partName, nameTable);
            while (xml.Read())
            {
                if (xml.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                object name = xml.LocalName;
                if (ReferenceEquals(name, atoms.Sst))
                {
                    if (int.TryParse(xml.GetAttribute("uniqueCount"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int unique)
                        && unique > 0)
                    {
                        list.Capacity = Math.Min(unique, Math.Min(options.MaxSharedStrings, 1 << 16));
                    }
                }
                else if (ReferenceEquals(name, atoms.Si))
                {
                    if (list.Count >= options.MaxSharedStrings)
                    {
                        throw new InvalidDataException(
                            $"The XLSX file has more than {options.MaxSharedStrings:N0} shared strings, over the MaxSharedStrings limit. " +
                            "If the file is trusted, raise XlsxReaderOptions.MaxSharedStrings.");
                    }

                    string text = xml.IsEmptyElement ? string.Empty : ReadRichText(xml, atoms, builder);
                    chars += text.Length;
                    if (chars > maxChars)
                    {
                        throw new InvalidDataException(
                            $"The shared strings of the XLSX file take more than {options.MaxSharedStringBytes:N0} bytes of memory, over the MaxSharedStringBytes limit. " +
                            "If the file is trusted, raise XlsxReaderOptions.MaxSharedStringBytes.");
                    }

                    list.Add(text);
                }
            }
        }
        catch (XmlException ex)
        {
            throw package.NotWellFormed("shared strings", partName, ex);
        }

        return [.. list];
    }

    /// <summary>
    /// Reads the text of a string item (<c>si</c> or <c>is</c>) positioned on its non-empty start element, concatenating the <c>t</c>
    /// elements of plain text and rich-text runs and ignoring phonetic runs (<c>rPh</c>); leaves the reader on the item's end element.
    /// Each <c>t</c> keeps its leading and trailing whitespace only under <c>xml:space="preserve"</c>, as Excel shows it.
    /// </summary>
    public static string ReadRichText(XmlReader xml, XlsxAtoms atoms, StringBuilder builder)
    {
        int depth = xml.Depth;
        int phoneticDepth = -1;
        int textDepth = -1;
        bool preserve = false;
        string? text = null;
        string? single = null;
        int pieces = 0;
        builder.Clear();
        while (xml.Read())
        {
            switch (xml.NodeType)
            {
                case XmlNodeType.Element:
                    if (phoneticDepth >= 0 || xml.IsEmptyElement)
                    {
                        break;
                    }

                    object name = xml.LocalName;
                    if (ReferenceEquals(name, atoms.RPh))
                    {
                        phoneticDepth = xml.Depth;
                    }
                    else if (ReferenceEquals(name, atoms.T))
                    {
                        textDepth = xml.Depth;
                        preserve = xml.XmlSpace == XmlSpace.Preserve;
                        text = null;
                    }

                    break;
                case XmlNodeType.EndElement:
                    if (xml.Depth == depth)
                    {
                        return pieces switch
                        {
                            0 => string.Empty,
                            1 => single!,
                            _ => builder.ToString(),
                        };
                    }

                    if (xml.Depth == phoneticDepth)
                    {
                        phoneticDepth = -1;
                    }
                    else if (xml.Depth == textDepth)
                    {
                        textDepth = -1;
                        if (text is not null)
                        {
                            AddPiece(preserve ? text : text.Trim(XmlWhitespace), ref single, ref pieces, builder);
                        }
                    }

                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace or XmlNodeType.Whitespace:
                    if (textDepth >= 0 && phoneticDepth < 0)
                    {
                        text = text is null ? xml.Value : text + xml.Value;
                    }

                    break;
                default:
                    break;
            }
        }

        throw new XmlException("Unexpected end of the XML document inside a string item.");
    }

    private static readonly char[] XmlWhitespace = [' ', '\t', '\r', '\n'];

    private static void AddPiece(string value, ref string? single, ref int pieces, StringBuilder builder)
    {
        if (pieces == 0)
        {
            single = value;
        }
        else
        {
            if (pieces == 1)
            {
                builder.Append(single);
            }

            builder.Append(value);
        }

        pieces++;
    }
}

/// <summary>Atomized element/attribute names shared by the readers (compared by reference).</summary>
internal sealed class XlsxAtoms
{
    public XlsxAtoms(XmlNameTable nameTable)
    {
        Sst = nameTable.Add("sst");
        Si = nameTable.Add("si");
        T = nameTable.Add("t");
        RPh = nameTable.Add("rPh");
        SheetData = nameTable.Add("sheetData");
        Row = nameTable.Add("row");
        C = nameTable.Add("c");
        V = nameTable.Add("v");
        Is = nameTable.Add("is");
        R = nameTable.Add("r");
        S = nameTable.Add("s");
        Dimension = nameTable.Add("dimension");
    }

    public string Sst { get; }

    public string Si { get; }

    public string T { get; }

    public string RPh { get; }

    public string SheetData { get; }

    public string Row { get; }

    public string C { get; }

    public string V { get; }

    public string Is { get; }

    public string R { get; }

    public string S { get; }

    public string Dimension { get; }
}
