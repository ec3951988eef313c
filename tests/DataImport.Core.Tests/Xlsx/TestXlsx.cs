using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;
using DataImport.Xlsx;

namespace DataImport.Tests.Xlsx;

/// <summary>Test-only XLSX writer that builds the zip parts by hand, for full control over the XML.</summary>
internal sealed class TestXlsx
{
    public const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    public const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    private readonly List<(string Name, string Xml)> _sheets = [];

    public string? SharedStringsXml { get; set; }

    public string? StylesXml { get; set; }

    public bool Date1904 { get; set; }

    public string Date1904Value { get; set; } = "1";

    public bool AbsoluteTargets { get; set; }

    /// <summary>Gets or sets XML written at the end of workbook.xml, e.g. an extLst as Excel writes it.</summary>
    public string WorkbookTailXml { get; set; } = string.Empty;

    public bool IncludeWorkbook { get; set; } = true;

    public bool IncludeRootRels { get; set; } = true;

    public Dictionary<string, string> ExtraParts { get; } = [];

    public CompressionLevel Level { get; set; } = CompressionLevel.Fastest;

    /// <summary>Adds a sheet from rows of raw row XML (the content of sheetData).</summary>
    public TestXlsx Sheet(string name, params string[] rowsXml) => RawSheet(name, WrapSheet(string.Concat(rowsXml)));

    public TestXlsx RawSheet(string name, string worksheetXml)
    {
        _sheets.Add((name, worksheetXml));
        return this;
    }

    public TestXlsx Shared(params string[] strings)
    {
        var sb = new StringBuilder($"<sst xmlns=\"{MainNs}\" count=\"{strings.Length}\" uniqueCount=\"{strings.Length}\">");
        foreach (var s in strings)
        {
            sb.Append("<si><t xml:space=\"preserve\">").Append(SecurityElement.Escape(s)).Append("</t></si>");
        }

        SharedStringsXml = sb.Append("</sst>").ToString();
        return this;
    }

    /// <summary>Styles with the given cellXfs numFmtIds and custom number formats.</summary>
    public TestXlsx Styles(int[] xfNumFmtIds, params (int Id, string Code)[] customFormats)
    {
        var sb = new StringBuilder($"<styleSheet xmlns=\"{MainNs}\">");
        if (customFormats.Length > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<numFmts count=\"{customFormats.Length}\">");
            foreach (var (id, code) in customFormats)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<numFmt numFmtId=\"{id}\" formatCode=\"{SecurityElement.Escape(code)}\"/>");
            }

            sb.Append("</numFmts>");
        }

        sb.Append("<fonts count=\"1\"><font/></fonts><cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>");
        sb.Append(CultureInfo.InvariantCulture, $"<cellXfs count=\"{xfNumFmtIds.Length}\">");
        foreach (var id in xfNumFmtIds)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<xf numFmtId=\"{id}\" fontId=\"0\" applyNumberFormat=\"1\"/>");
        }

        StylesXml = sb.Append("</cellXfs></styleSheet>").ToString();
        return this;
    }

    public static string WrapSheet(string sheetData, string beforeSheetData = "") =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"{MainNs}\" xmlns:r=\"{RelNs}\">{beforeSheetData}<sheetData>{sheetData}</sheetData></worksheet>";

    public byte[] Build()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>");
            if (IncludeRootRels)
            {
                Add(zip, "_rels/.rels", $"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{RelNs}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
            }

            var rels = new StringBuilder("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
            var wb = new StringBuilder($"<workbook xmlns=\"{MainNs}\" xmlns:r=\"{RelNs}\">");
            if (Date1904)
            {
                wb.Append(CultureInfo.InvariantCulture, $"<workbookPr date1904=\"{Date1904Value}\"/>");
            }

            wb.Append("<sheets>");
            for (int i = 0; i < _sheets.Count; i++)
            {
                string target = AbsoluteTargets ? $"/xl/worksheets/sheet{i + 1}.xml" : $"worksheets/sheet{i + 1}.xml";
                rels.Append(CultureInfo.InvariantCulture, $"<Relationship Id=\"rIdS{i + 1}\" Type=\"{RelNs}/worksheet\" Target=\"{target}\"/>");
                wb.Append(CultureInfo.InvariantCulture, $"<sheet name=\"{SecurityElement.Escape(_sheets[i].Name)}\" sheetId=\"{i + 1}\" r:id=\"rIdS{i + 1}\"/>");
                Add(zip, $"xl/worksheets/sheet{i + 1}.xml", _sheets[i].Xml);
            }

            wb.Append("</sheets>").Append(WorkbookTailXml).Append("</workbook>");
            if (SharedStringsXml is not null)
            {
                rels.Append(CultureInfo.InvariantCulture, $"<Relationship Id=\"rIdSS\" Type=\"{RelNs}/sharedStrings\" Target=\"sharedStrings.xml\"/>");
                Add(zip, "xl/sharedStrings.xml", SharedStringsXml);
            }

            if (StylesXml is not null)
            {
                rels.Append(CultureInfo.InvariantCulture, $"<Relationship Id=\"rIdST\" Type=\"{RelNs}/styles\" Target=\"styles.xml\"/>");
                Add(zip, "xl/styles.xml", StylesXml);
            }

            if (IncludeWorkbook)
            {
                Add(zip, "xl/workbook.xml", wb.ToString());
                Add(zip, "xl/_rels/workbook.xml.rels", rels.Append("</Relationships>").ToString());
            }

            foreach (var (name, xml) in ExtraParts)
            {
                Add(zip, name, xml);
            }
        }

        return ms.ToArray();
    }

    public XlsxDataReader Open(XlsxReaderOptions? options = null) => XlsxDataReader.Create(new MemoryStream(Build()), options);

    public static XlsxReaderOptions NoHeader() => new() { HasHeaderRow = false };

    /// <summary>Rewrites the uncompressed size an entry declares (local header and central directory), as a lying zip does.</summary>
    public static void PatchDeclaredSize(byte[] zip, string name, uint size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (int i = 0; i + 46 < zip.Length; i++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (sig == 0x04034b50 && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
            }
            else if (sig == 0x02014b50 && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
            }
        }
    }

    private void Add(ZipArchive zip, string name, string content)
    {
        var entry = zip.CreateEntry(name, Level);
        using var s = entry.Open();
        var bytes = Encoding.UTF8.GetBytes(content);
        s.Write(bytes);
    }
}

/// <summary>Builders for row and cell XML.</summary>
internal static class X
{
    public static string Row(int? r, params string[] cells) =>
        (r is null ? "<row>" : $"<row r=\"{r}\">") + string.Concat(cells) + "</row>";

    public static string N(string? r, string v, int? s = null) => $"<c{Ref(r)}{Style(s)}><v>{v}</v></c>";

    public static string S(string? r, int index, int? s = null) => $"<c{Ref(r)}{Style(s)} t=\"s\"><v>{index}</v></c>";

    public static string Inline(string? r, string text) => $"<c{Ref(r)} t=\"inlineStr\"><is><t>{SecurityElement.Escape(text)}</t></is></c>";

    public static string B(string? r, bool v) => $"<c{Ref(r)} t=\"b\"><v>{(v ? 1 : 0)}</v></c>";

    public static string E(string? r, string error) => $"<c{Ref(r)} t=\"e\"><v>{error}</v></c>";

    public static string Str(string? r, string formula, string cached) => $"<c{Ref(r)} t=\"str\"><f>{formula}</f><v>{cached}</v></c>";

    private static string Ref(string? r) => r is null ? string.Empty : $" r=\"{r}\"";

    private static string Style(int? s) => s is null ? string.Empty : $" s=\"{s}\"";
}
