using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace DataImport.Benchmarks;

/// <summary>
/// Generates the benchmark files deterministically (fixed seed) into a temp folder, once per file: a SalesRecords-like
/// CSV, a customers-like CSV with quoted fields, and an XLSX of the sales data with date-styled cells.
/// </summary>
public static class DataFiles
{
    public const string SalesHeader = "Region,Country,Item Type,Sales Channel,Order Priority,Order Date,Order ID,Ship Date,Units Sold,Unit Price,Unit Cost,Total Revenue,Total Cost,Total Profit";

    public const string CustomersHeader = "Index,Customer Id,First Name,Last Name,Company,City,Country,Phone,Email,Subscription Date,Website,Notes,Balance";

    private static readonly string[] Regions = ["Sub-Saharan Africa", "Europe", "Asia", "Middle East and North Africa", "Central America and the Caribbean", "Australia and Oceania", "North America"];

    private static readonly string[] Countries =
    [
        "Chad", "Latvia", "Pakistan", "Democratic Republic of the Congo", "Czech Republic", "South Africa", "Laos", "Norway", "Portugal",
        "Honduras", "Germany", "Kiribati", "Haiti", "Mongolia", "Iceland", "Mexico", "Switzerland", "Bangladesh", "Brazil", "Libya",
        "Sri Lanka", "Tuvalu", "Burkina Faso", "Russia", "Cambodia", "Malta", "Azerbaijan", "Guatemala", "Lithuania", "Saudi Arabia",
        "Canada", "Japan", "Kenya", "Fiji", "Poland", "Nicaragua", "Ireland", "Zambia", "France", "Samoa",
    ];

    private static readonly (string Name, decimal Price, decimal Cost)[] Items =
    [
        ("Office Supplies", 651.21m, 524.96m), ("Beverages", 47.45m, 31.79m), ("Vegetables", 154.06m, 90.93m), ("Household", 668.27m, 502.54m),
        ("Baby Food", 255.28m, 159.42m), ("Cereal", 205.70m, 117.11m), ("Meat", 421.89m, 364.69m), ("Personal Care", 81.73m, 56.67m),
        ("Clothes", 109.28m, 35.84m), ("Cosmetics", 437.20m, 263.33m), ("Fruits", 9.33m, 6.92m), ("Snacks", 152.58m, 97.44m),
    ];

    private static readonly string[] FirstNames = ["Andrew", "Alvin", "Jenna", "Greg", "Joanna", "Aimee", "Darren", "Brett", "Sheryl", "Michelle", "Maria", "Wei", "Olga", "José", "Zoë"];

    private static readonly string[] LastNames = ["Goodman", "Lane", "Harding", "Mata", "Bender", "Downs", "Peck", "Mullen", "Meyer", "O'Brien", "Nguyen", "Müller", "Smith"];

    private static readonly string[] Companies = ["Rasmussen, Black and Hodge", "Vega-Gentry", "Murillo-Perry", "Dominguez, Mcmillan and Donovan", "Martin, Lang and Andrade", "Acme \"Best\" Ltd", "Steele Group", "Le, Nash and Cross"];

    private static readonly string[] Cities = ["East Leonard", "Lake Madeline", "New Darlene", "Dana Point", "Port Felix", "São Paulo", "Zürich", "Reykjavík"];

    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "dataimport-bench");

    public static string SalesCsv(int rows) => Ensure($"sales-{rows}.csv", path => WriteSalesCsv(path, rows));

    /// <summary>
    /// The sales file with a numeric field made unreadable (<c>n/a</c>) in every <see cref="BadRowInterval"/>th data row, 2%
    /// of the rows: Units Sold, Unit Price or Total Profit in turn.
    /// </summary>
    public static string SalesCsvWithBadRows(int rows) => Ensure($"sales-bad2pct-{rows}.csv", path => WriteSalesCsv(path, rows, BadRowInterval));

    /// <summary>One data row in this many is bad in <see cref="SalesCsvWithBadRows"/>.</summary>
    public const int BadRowInterval = 50;

    /// <summary>The number of bad rows <see cref="SalesCsvWithBadRows"/> writes into a file of <paramref name="rows"/> rows.</summary>
    public static int BadRows(int rows) => rows / BadRowInterval;

    public static string CustomersCsv(int rows) => Ensure($"customers-{rows}.csv", path => WriteCustomersCsv(path, rows));

    public static string SalesXlsx(int rows) => Ensure($"sales-{rows}.xlsx", path => WriteSalesXlsx(path, rows));

    /// <summary>Writes to a temporary name and renames, so a concurrent or interrupted run never sees half a file.</summary>
    private static string Ensure(string name, Action<string> write)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name);
        if (!File.Exists(path))
        {
            var temp = path + "." + Environment.ProcessId + ".tmp";
            write(temp);
            File.Move(temp, path, overwrite: true);
        }

        return path;
    }

    public readonly record struct SalesRow(
        string Region, string Country, string ItemType, string SalesChannel, string OrderPriority, DateTime OrderDate, long OrderId, DateTime ShipDate,
        int UnitsSold, decimal UnitPrice, decimal UnitCost, decimal TotalRevenue, decimal TotalCost, decimal TotalProfit);

    public static IEnumerable<SalesRow> SalesRows(int rows)
    {
        var random = new Random(20240331);
        var start = new DateTime(2010, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            var item = Items[random.Next(Items.Length)];
            var orderDate = start.AddDays(random.Next(365 * 7));
            var units = random.Next(1, 10_000);
            var revenue = units * item.Price;
            var cost = units * item.Cost;
            yield return new SalesRow(
                Regions[random.Next(Regions.Length)], Countries[random.Next(Countries.Length)], item.Name, random.Next(2) == 0 ? "Online" : "Offline",
                "LMHC"[random.Next(4)].ToString(), orderDate, 100_000_000L + (i * 9L) + random.Next(9), orderDate.AddDays(random.Next(51)),
                units, item.Price, item.Cost, revenue, cost, revenue - cost);
        }
    }

    /// <param name="badRowInterval">When positive, row i (0-based) with i % interval == interval - 1 gets <c>n/a</c> in one numeric field.</param>
    public static void WriteSalesCsv(string path, int rows, int badRowInterval = 0)
    {
        var inv = CultureInfo.InvariantCulture;
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        writer.Write(SalesHeader);
        writer.Write("\r\n");
        var i = 0;
        foreach (var r in SalesRows(rows))
        {
            var bad = badRowInterval > 0 && i % badRowInterval == badRowInterval - 1 ? i / badRowInterval % 3 : -1;
            var units = bad == 0 ? "n/a" : r.UnitsSold.ToString(inv);
            var price = bad == 1 ? "n/a" : r.UnitPrice.ToString("0.00", inv);
            var profit = bad == 2 ? "n/a" : r.TotalProfit.ToString("0.00", inv);
            writer.Write(string.Create(inv, $"{r.Region},{r.Country},{r.ItemType},{r.SalesChannel},{r.OrderPriority},{r.OrderDate:M/d/yyyy},{r.OrderId},{r.ShipDate:M/d/yyyy},{units},{price},{r.UnitCost:0.00},{r.TotalRevenue:0.00},{r.TotalCost:0.00},{profit}\r\n"));
            i++;
        }
    }

    public static void WriteCustomersCsv(string path, int rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var random = new Random(1234);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        writer.Write(CustomersHeader);
        writer.Write("\r\n");
        var start = new DateTime(2020, 1, 1);
        for (var i = 1; i <= rows; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var id = random.NextInt64(0x100000000000L, 0xFFFFFFFFFFFFL).ToString("X12", inv) + i.ToString("D3", inv)[^3..];
            var company = Companies[random.Next(Companies.Length)];
            var notes = random.Next(3) switch
            {
                0 => "Called twice, \"urgent\", wants a callback",
                1 => "Prefers email; no calls",
                _ => string.Empty,
            };
            var phone = string.Create(inv, $"+1-{random.Next(200, 999)}-{random.Next(100, 999)}-{random.Next(1000, 9999)}x{random.Next(100, 99999)}");
            var line = string.Create(inv, $"{i},{id},{first},{last},{Quote(company)},{Quote(Cities[random.Next(Cities.Length)])},{Quote(Countries[random.Next(Countries.Length)])},{phone},{first.ToLowerInvariant()}.{i}@example.com,{start.AddDays(random.Next(900)):yyyy-MM-dd},https://www.{last.ToLowerInvariant()}.example.com/,{Quote(notes)},{random.Next(-50_000, 1_000_000) / 100m:0.00}\r\n");
            writer.Write(line);
        }
    }

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    /// <summary>
    /// A streaming, hand-written XLSX writer: text cells through the shared-string table (as Excel saves them),
    /// dates as serial numbers styled with the built-in date format 14, numbers as numbers.
    /// </summary>
    public static void WriteSalesXlsx(string path, int rows)
    {
        const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const string Rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        var inv = CultureInfo.InvariantCulture;
        var shared = new Dictionary<string, int>(StringComparer.Ordinal);
        var sharedList = new List<string>();
        int Shared(string s)
        {
            if (!shared.TryGetValue(s, out var index))
            {
                index = shared[s] = sharedList.Count;
                sharedList.Add(s);
            }

            return index;
        }

        var columns = SalesHeader.Split(',');
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        void Part(string name, string xml)
        {
            using var w = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
            w.Write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
            w.Write(xml);
        }

        Part("[Content_Types].xml",
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            + "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/></Types>");
        Part("_rels/.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
        Part("xl/workbook.xml", $"<workbook xmlns=\"{Main}\" xmlns:r=\"{Rel}\"><sheets><sheet name=\"Sales\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
        Part("xl/_rels/workbook.xml.rels",
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
            + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
            + "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>");
        Part("xl/styles.xml",
            $"<styleSheet xmlns=\"{Main}\"><fonts count=\"1\"><font/></fonts><fills count=\"1\"><fill/></fills><borders count=\"1\"><border/></borders>"
            + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>");

        using (var w = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest).Open(), new UTF8Encoding(false), 1 << 16))
        {
            w.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"{Main}\"><sheetData>");
            w.Write("<row r=\"1\">");
            for (var c = 0; c < columns.Length; c++)
            {
                w.Write(string.Create(inv, $"<c r=\"{Column(c)}1\" t=\"s\"><v>{Shared(columns[c])}</v></c>"));
            }

            w.Write("</row>");
            var n = 1;
            foreach (var r in SalesRows(rows))
            {
                n++;
                w.Write(string.Create(inv, $"<row r=\"{n}\">"
                    + $"<c r=\"A{n}\" t=\"s\"><v>{Shared(r.Region)}</v></c><c r=\"B{n}\" t=\"s\"><v>{Shared(r.Country)}</v></c><c r=\"C{n}\" t=\"s\"><v>{Shared(r.ItemType)}</v></c>"
                    + $"<c r=\"D{n}\" t=\"s\"><v>{Shared(r.SalesChannel)}</v></c><c r=\"E{n}\" t=\"s\"><v>{Shared(r.OrderPriority)}</v></c>"
                    + $"<c r=\"F{n}\" s=\"1\"><v>{r.OrderDate.ToOADate()}</v></c><c r=\"G{n}\"><v>{r.OrderId}</v></c><c r=\"H{n}\" s=\"1\"><v>{r.ShipDate.ToOADate()}</v></c>"
                    + $"<c r=\"I{n}\"><v>{r.UnitsSold}</v></c><c r=\"J{n}\"><v>{r.UnitPrice}</v></c><c r=\"K{n}\"><v>{r.UnitCost}</v></c><c r=\"L{n}\"><v>{r.TotalRevenue}</v></c>"
                    + $"<c r=\"M{n}\"><v>{r.TotalCost}</v></c><c r=\"N{n}\"><v>{r.TotalProfit}</v></c></row>"));
            }

            w.Write("</sheetData></worksheet>");
        }

        var sst = new StringBuilder($"<sst xmlns=\"{Main}\" count=\"{sharedList.Count}\" uniqueCount=\"{sharedList.Count}\">");
        foreach (var s in sharedList)
        {
            sst.Append("<si><t>").Append(SecurityElement.Escape(s)).Append("</t></si>");
        }

        Part("xl/sharedStrings.xml", sst.Append("</sst>").ToString());
    }

    private static string Column(int index) => ((char)('A' + index)).ToString();
}
