using System.Xml;

namespace DataImport.Xlsx;

/// <summary>A sheet entry of workbook.xml with its resolved part name (null when the relationship is missing).</summary>
internal sealed record XlsxSheetInfo(string Name, string? PartName);

/// <summary>The workbook-level metadata: sheets in workbook order, date system, and the styles/shared-strings part names.</summary>
internal sealed class XlsxWorkbook
{
    private const string DefaultWorkbookPart = "xl/workbook.xml";

    private XlsxWorkbook(List<XlsxSheetInfo> sheets, bool date1904, string? stylesPart, string? sharedStringsPart)
    {
        Sheets = sheets;
        Date1904 = date1904;
        StylesPart = stylesPart;
        SharedStringsPart = sharedStringsPart;
    }

    public IReadOnlyList<XlsxSheetInfo> Sheets { get; }

    public bool Date1904 { get; }

    public string? StylesPart { get; }

    public string? SharedStringsPart { get; }

    /// <exception cref="InvalidDataException">No workbook part, or malformed workbook XML.</exception>
    public static XlsxWorkbook Load(XlsxPackage package, XmlNameTable nameTable)
    {
        string? workbookPart = null;
        if (package.Exists("_rels/.rels"))
        {
            foreach (var rel in ReadRelationships(package, "_rels/.rels", string.Empty, nameTable))
            {
                if (rel.Type.EndsWith("/officeDocument", StringComparison.Ordinal) && package.Exists(rel.Target))
                {
                    workbookPart = rel.Target;
                    break;
                }
            }
        }

        workbookPart ??= package.Exists(DefaultWorkbookPart) ? DefaultWorkbookPart : null;
        if (workbookPart is null)
        {
            throw new InvalidDataException(
                "The file is not a valid XLSX workbook: the zip archive contains no workbook part (xl/workbook.xml). " +
                "It may be another kind of zip file, such as .docx, .pptx or .ods.");
        }

        int slash = workbookPart.LastIndexOf('/');
        string relsPart = (slash < 0 ? string.Empty : workbookPart[..(slash + 1)]) + "_rels/" + workbookPart[(slash + 1)..] + ".rels";
        var relsById = new Dictionary<string, string>(StringComparer.Ordinal);
        string? styles = null;
        string? sharedStrings = null;
        if (package.Exists(relsPart))
        {
            foreach (var rel in ReadRelationships(package, relsPart, workbookPart, nameTable))
            {
                relsById.TryAdd(rel.Id, rel.Target);
                if (rel.Type.EndsWith("/styles", StringComparison.Ordinal))
                {
                    styles ??= rel.Target;
                }
                else if (rel.Type.EndsWith("/sharedStrings", StringComparison.Ordinal))
                {
                    sharedStrings ??= rel.Target;
                }
            }
        }

        string folder = slash < 0 ? string.Empty : workbookPart[..(slash + 1)];
        styles ??= folder + "styles.xml";
        sharedStrings ??= folder + "sharedStrings.xml";

        var sheets = new List<XlsxSheetInfo>();
        bool date1904 = false;
        string? mainNamespace = null;
        try
        {
            using var xml = package.OpenXml(workbookPart, nameTable);
            while (xml.Read())
            {
                if (xml.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                // The root's namespace is SpreadsheetML's (transitional or strict); Excel 2013+ also writes an
                // x15:workbookPr inside extLst, which has no date1904 and must not reset the main one.
                mainNamespace ??= xml.NamespaceURI;
                if (xml.LocalName == "workbookPr" && xml.NamespaceURI == mainNamespace)
                {
                    string? d = xml.GetAttribute("date1904");
                    date1904 = d is not null && (d == "1" || d.Equals("true", StringComparison.OrdinalIgnoreCase));
                }
                else if (xml.LocalName == "sheet")
                {
                    string name = xml.GetAttribute("name") ?? string.Empty;
                    string? relId = null;
                    while (xml.MoveToNextAttribute())
                    {
                        if (xml.LocalName == "id" && xml.NamespaceURI.Length > 0)
                        {
                            relId = xml.Value;
                        }
                    }

                    xml.MoveToElement();
                    string? part = relId is not null && relsById.TryGetValue(relId, out var target) ? target : null;
                    sheets.Add(new XlsxSheetInfo(name, part));
                }
            }
        }
        catch (XmlException ex)
        {
            throw package.NotWellFormed("workbook", workbookPart, ex);
        }

        return new XlsxWorkbook(
            sheets,
            date1904,
            package.Exists(styles) ? styles : null,
            package.Exists(sharedStrings) ? sharedStrings : null);
    }

    /// <summary>Selects a sheet by name (case-insensitive) or 1-based index digits; null selects the first sheet.</summary>
    /// <exception cref="InvalidDataException">The sheet does not exist; the message lists the available sheets.</exception>
    public XlsxSheetInfo SelectSheet(string? sheet)
    {
        if (Sheets.Count == 0)
        {
            throw new InvalidDataException("The XLSX workbook contains no worksheets.");
        }

        if (sheet is null)
        {
            return Sheets[0];
        }

        foreach (var s in Sheets)
        {
            if (string.Equals(s.Name, sheet, StringComparison.Ordinal))
            {
                return s;
            }
        }

        foreach (var s in Sheets)
        {
            if (string.Equals(s.Name, sheet, StringComparison.OrdinalIgnoreCase))
            {
                return s;
            }
        }

        string trimmed = sheet.Trim();
        if (trimmed.Length > 0 && trimmed.Length < 10 && trimmed.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0)
        {
            int index = int.Parse(trimmed, System.Globalization.CultureInfo.InvariantCulture);
            if (index >= 1 && index <= Sheets.Count)
            {
                return Sheets[index - 1];
            }

            throw new InvalidDataException(
                $"The XLSX workbook has no sheet number {index}: it has {Sheets.Count} sheet(s): {ListNames()}.");
        }

        throw new InvalidDataException($"The XLSX workbook has no sheet named '{sheet}'. Available sheets: {ListNames()}.");
    }

    private string ListNames()
    {
        var names = new string[Sheets.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = "'" + Sheets[i].Name + "'";
        }

        return string.Join(", ", names);
    }

    private static List<(string Id, string Type, string Target)> ReadRelationships(XlsxPackage package, string relsPart, string sourcePart, XmlNameTable nameTable)
    {
        var result = new List<(string, string, string)>();
        try
        {
            using var xml = package.OpenXml(relsPart, nameTable);
            while (xml.Read())
            {
                if (xml.NodeType != XmlNodeType.Element || xml.LocalName != "Relationship")
                {
                    continue;
                }

                string? target = xml.GetAttribute("Target");
                string? mode = xml.GetAttribute("TargetMode");
                if (target is null || string.Equals(mode, "External", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                result.Add((xml.GetAttribute("Id") ?? string.Empty, xml.GetAttribute("Type") ?? string.Empty, XlsxPackage.ResolveTarget(sourcePart, target)));
            }
        }
        catch (XmlException ex)
        {
            throw package.NotWellFormed("relationships", relsPart, ex);
        }

        return result;
    }
}
