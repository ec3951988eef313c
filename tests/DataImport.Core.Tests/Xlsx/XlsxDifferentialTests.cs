using System.Globalization;
using DataImport.Xlsx;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ExcelDataReader;
using FluentAssertions;
using MiniExcelLibs;

namespace DataImport.Tests.Xlsx;

/// <summary>Reads files written by real producers with both ExcelDataReader and XlsxDataReader and compares cell by cell.</summary>
public sealed class XlsxDifferentialTests
{
    static XlsxDifferentialTests() => System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Read_OpenXmlSdkWorkbook_MatchesExcelDataReader(int seed)
    {
        var bytes = BuildWithOpenXmlSdk(seed, rows: 300, columns: 9);

        CompareWithExcelDataReader(bytes, expectedDates: true);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Read_MiniExcelWorkbook_MatchesExcelDataReader(int seed)
    {
        var random = new Random(seed);
        var rows = new List<Dictionary<string, object?>>();
        for (int i = 0; i < 200; i++)
        {
            rows.Add(new Dictionary<string, object?>
            {
                ["Text"] = random.Next(5) == 0 ? null : "s" + random.Next(50).ToString(CultureInfo.InvariantCulture),
                ["Int"] = random.Next(-1000, 1000),
                ["Double"] = Math.Round(random.NextDouble() * 1e6, random.Next(0, 8)),
                ["Date"] = new DateTime(1990, 1, 1).AddMinutes(random.Next(0, 20_000_000)),
                ["Bool"] = random.Next(2) == 0,
                ["Blank"] = null,
                ["Tail"] = random.Next(3) == 0 ? "t" : null,
            });
        }

        using var ms = new MemoryStream();
        ms.SaveAs(rows);

        CompareWithExcelDataReader(ms.ToArray(), expectedDates: true);
    }

    /// <summary>Workbooks saved by LibreOffice Calc (converted from CSV files: typed numbers, dates, times, booleans, formulas).</summary>
    [Theory]
    [InlineData("libreoffice-mixed.xlsx")]
    [InlineData("libreoffice-customers.xlsx")]
    public void Read_LibreOfficeWorkbook_MatchesExcelDataReader(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Xlsx", "Fixtures", name));

        CompareWithExcelDataReader(bytes, expectedDates: true);
    }

    private static void CompareWithExcelDataReader(byte[] bytes, bool expectedDates)
    {
        var expected = new List<object?[]>();
        using (var edr = ExcelReaderFactory.CreateOpenXmlReader(new MemoryStream(bytes)))
        {
            while (edr.Read())
            {
                var row = new object?[edr.FieldCount];
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = edr.GetValue(i);
                }

                expected.Add(row);
            }
        }

        var actual = new Dictionary<int, object?[]>();
        using (var reader = XlsxDataReader.Create(new MemoryStream(bytes), new XlsxReaderOptions { HasHeaderRow = false }))
        {
            while (reader.Read())
            {
                var row = new object?[Math.Max(reader.FieldCount, reader.RowFieldCount)];
                for (int i = 0; i < row.Length; i++)
                {
                    var v = reader.GetValue(i);
                    // ExcelDataReader reads error cells (#N/A) as null; ours keeps the error text and flags it.
                    row[i] = v is DBNull || (i < reader.FieldCount && reader.IsError(i)) ? null : v;
                }

                actual[reader.RowNumber] = row;
            }
        }

        expected.Should().NotBeEmpty();
        actual.Keys.Max().Should().BeLessThanOrEqualTo(expected.Count);
        int dates = 0;
        for (int r = 0; r < expected.Count; r++)
        {
            actual.TryGetValue(r + 1, out var mine);
            var theirs = expected[r];
            int width = Math.Max(theirs.Length, mine?.Length ?? 0);
            for (int c = 0; c < width; c++)
            {
                object? e = c < theirs.Length ? theirs[c] : null;
                object? a = mine is not null && c < mine.Length ? mine[c] : null;
                if (e is DateTime)
                {
                    dates++;
                }

                a.Should().Be(e, "row {0} column {1} should match ExcelDataReader", r + 1, c + 1);
                a?.GetType().Should().Be(e!.GetType(), "row {0} column {1} type", r + 1, c + 1);
            }
        }

        if (expectedDates)
        {
            dates.Should().BeGreaterThan(0);
        }
    }

    private static byte[] BuildWithOpenXmlSdk(int seed, int rows, int columns)
    {
        var random = new Random(seed);
        var pool = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            pool.Add($"str {i} ü & <{i * 7}>");
        }

        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var sst = wb.AddNewPart<SharedStringTablePart>();
            sst.SharedStringTable = new SharedStringTable(pool.Select(s => new SharedStringItem(new Text(s) { Space = SpaceProcessingModeValues.Preserve })));
            var styles = wb.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = new Stylesheet(
                new NumberingFormats(
                    new NumberingFormat { NumberFormatId = 164, FormatCode = "dd/mm/yyyy hh:mm" },
                    new NumberingFormat { NumberFormatId = 165, FormatCode = "0.00%" },
                    new NumberingFormat { NumberFormatId = 166, FormatCode = "[Red]0.00" }),
                new Fonts(new Font()),
                new Fills(new Fill(new PatternFill { PatternType = PatternValues.None })),
                new Borders(new Border()),
                new CellStyleFormats(new CellFormat()),
                new CellFormats(
                    new CellFormat { NumberFormatId = 0 },
                    new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true },
                    new CellFormat { NumberFormatId = 22, ApplyNumberFormat = true },
                    new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
                    new CellFormat { NumberFormatId = 165, ApplyNumberFormat = true },
                    new CellFormat { NumberFormatId = 166, ApplyNumberFormat = true },
                    new CellFormat { NumberFormatId = 4, ApplyNumberFormat = true }));
            var ws = wb.AddNewPart<WorksheetPart>();
            var sheetData = new SheetData();
            ws.Worksheet = new Worksheet(sheetData);
            wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(ws), SheetId = 1, Name = "Data" }));

            uint rowIndex = 0;
            for (int r = 0; r < rows; r++)
            {
                rowIndex += random.Next(8) == 0 ? 2u : 1u;
                var row = new Row { RowIndex = rowIndex };
                for (int c = 0; c < columns; c++)
                {
                    if (random.Next(6) == 0)
                    {
                        continue;
                    }

                    var cell = new Cell { CellReference = ColumnName(c) + rowIndex.ToString(CultureInfo.InvariantCulture) };
                    switch (random.Next(8))
                    {
                        case 0:
                            cell.DataType = CellValues.SharedString;
                            cell.CellValue = new CellValue(random.Next(pool.Count).ToString(CultureInfo.InvariantCulture));
                            break;
                        case 1:
                            cell.DataType = CellValues.InlineString;
                            cell.InlineString = new InlineString(new Text("inline " + random.Next(100).ToString(CultureInfo.InvariantCulture)));
                            break;
                        case 2:
                            cell.CellValue = new CellValue(((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 12))).ToString("R", CultureInfo.InvariantCulture));
                            break;
                        case 3:
                            cell.CellValue = new CellValue(random.Next(-100000, 100000).ToString(CultureInfo.InvariantCulture));
                            cell.StyleIndex = (uint)random.Next(4, 7);
                            break;
                        case 4:
                            double serial = 61 + random.Next(0, 60000) + Math.Round(random.NextDouble(), 5);
                            cell.CellValue = new CellValue(serial.ToString("R", CultureInfo.InvariantCulture));
                            cell.StyleIndex = (uint)random.Next(1, 4);
                            break;
                        case 5:
                            cell.DataType = CellValues.Boolean;
                            cell.CellValue = new CellValue(random.Next(2) == 0 ? "1" : "0");
                            break;
                        case 6:
                            cell.DataType = CellValues.String;
                            cell.CellFormula = new CellFormula("\"x\"&1");
                            cell.CellValue = new CellValue("x1");
                            break;
                        default:
                            cell.StyleIndex = 1;
                            break;
                    }

                    row.Append(cell);
                }

                sheetData.Append(row);
            }
        }

        return ms.ToArray();
    }

    private static string ColumnName(int index)
    {
        string name = string.Empty;
        for (index++; index > 0; index = (index - 1) / 26)
        {
            name = (char)('A' + ((index - 1) % 26)) + name;
        }

        return name;
    }
}
