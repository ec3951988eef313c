using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using DataImport.Xlsx;
using FluentAssertions;
using static DataImport.Tests.Xlsx.X;

namespace DataImport.Tests.Xlsx;

/// <summary>
/// A worksheet of 1 MiB or more is inflated on a second thread (<see cref="XlsxReaderOptions.ReadAhead"/>): every cell
/// and every error equals what the reader gives on one thread.
/// </summary>
public sealed class XlsxReadAheadTests
{
    [Fact]
    public void Read_LargeSheet_SameCellsWithAndWithoutReadAhead()
    {
        var bytes = LargeWorkbook(rows: 30_000);

        var ahead = ReadAll(bytes, readAhead: true);
        var oneThread = ReadAll(bytes, readAhead: false);

        ahead.Should().HaveCount(30_001).And.Equal(oneThread);
        ahead[1].Should().Be("String:Item 1|Number:1.5|DateTime:2024-01-02|Boolean:False|String:inline 1");
        ahead[^1].Should().Be("String:Item 30000|Number:45000|DateTime:2106-02-20|Boolean:True|String:inline 30000");
    }

    [Fact]
    public void Read_LargeSheetTruncatedByALyingDeclaredSize_SameErrorAfterTheSameRows()
    {
        var bytes = LargeWorkbook(rows: 60_000);
        TestXlsx.PatchDeclaredSize(bytes, "xl/worksheets/sheet1.xml", 2_000_000);

        var ahead = ReadUntilFailure(bytes, readAhead: true);
        var oneThread = ReadUntilFailure(bytes, readAhead: false);

        ahead.Error.Should().BeOfType<InvalidDataException>().Which.Message
            .Should().StartWith("The worksheet part 'xl/worksheets/sheet1.xml' of the XLSX file is not well-formed XML:");
        ahead.Error!.Message.Should().Be(oneThread.Error!.Message);
        ahead.Rows.Should().Be(oneThread.Rows).And.BeGreaterThan(10_000);
    }

    [Fact]
    public void Read_LargeSheetOverTheRatioLimit_SameErrorNamingTheLimit()
    {
        var bytes = LargeWorkbook(rows: 60_000);
        var options = (bool readAhead) => new XlsxReaderOptions { ReadAhead = readAhead, MaxPartUncompressedBytes = 3_000_000 };

        var ahead = ReadUntilFailure(bytes, readAhead: true, options(true));
        var oneThread = ReadUntilFailure(bytes, readAhead: false, options(false));

        // The declared size is checked first; the test's sheet is over the limit before it is read.
        ahead.Error!.Message.Should().Contain("MaxPartUncompressedBytes").And.Be(oneThread.Error!.Message);
    }

    [Fact]
    public void Read_LargeSheetWithCorruptCompressedBytes_SameErrorAsOnOneThread()
    {
        var bytes = LargeWorkbook(rows: 60_000);
        var (start, length) = EntryData(bytes, "xl/worksheets/sheet1.xml");
        for (var i = start + (length / 2); i < start + (length / 2) + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        var ahead = ReadUntilFailure(bytes, readAhead: true);
        var oneThread = ReadUntilFailure(bytes, readAhead: false);

        ahead.Error.Should().BeOfType<InvalidDataException>().Which.Message.Should().Contain("sheet1.xml");
        ahead.Error!.Message.Should().Be(oneThread.Error!.Message);
        ahead.Rows.Should().Be(oneThread.Rows);
    }

    [Fact]
    public void Create_LargeSheetWithADtd_SaysSoWithReadAhead()
    {
        var rows = string.Concat(Enumerable.Range(1, 60_000).Select(i => Row(i, N(null, i.ToString(CultureInfo.InvariantCulture)))));
        var xml = $"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"a\">]><worksheet xmlns=\"{TestXlsx.MainNs}\"><sheetData>{rows}</sheetData></worksheet>";
        var bytes = new TestXlsx().RawSheet("S", xml).Build();

        var act = () => XlsxDataReader.Create(new MemoryStream(bytes), new XlsxReaderOptions { ReadAhead = true });

        act.Should().Throw<InvalidDataException>().WithMessage("The worksheet part 'xl/worksheets/sheet1.xml' of the XLSX file contains a DTD*");
    }

    [Fact]
    public void Dispose_MidSheet_EndsTheReaderAndLeavesTheFileUsable()
    {
        var bytes = LargeWorkbook(rows: 60_000);
        using var file = new MemoryStream(bytes);
        var reader = XlsxDataReader.Create(file, new XlsxReaderOptions { ReadAhead = true });
        for (var i = 0; i < 100; i++)
        {
            reader.Read().Should().BeTrue();
        }

        reader.Dispose();

        file.Position = 0;
        ReadAll(bytes, readAhead: true).Should().HaveCount(60_001);
    }

    /// <summary>A header row, then rows of a shared string, a number, a date (style 1: numFmt 14), a boolean and an inline string: about 140 bytes of XML a row.</summary>
    private static byte[] LargeWorkbook(int rows)
    {
        var shared = Enumerable.Range(0, rows + 1).Select(i => i == 0 ? "Name" : "Item " + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var data = new StringBuilder(Row(1, S(null, 0), Inline(null, "Amount"), Inline(null, "Day"), Inline(null, "Flag"), Inline(null, "Note")));
        for (var i = 1; i <= rows; i++)
        {
            var invariant = CultureInfo.InvariantCulture;
            data.Append(Row(
                i + 1,
                S(null, i),
                N(null, (i * 1.5).ToString(invariant)),
                N(null, (45292 + i).ToString(invariant), s: 1),
                B(null, i % 2 == 0),
                Inline(null, "inline " + i.ToString(invariant))));
        }

        return new TestXlsx { Level = CompressionLevel.Optimal }.Shared(shared).Styles([0, 14]).Sheet("S", data.ToString()).Build();
    }

    private static List<string> ReadAll(byte[] bytes, bool readAhead)
    {
        using var reader = XlsxDataReader.Create(new MemoryStream(bytes), new XlsxReaderOptions { ReadAhead = readAhead, HasHeaderRow = false });
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(Describe(reader));
        }

        return rows;
    }

    private static (int Rows, Exception? Error) ReadUntilFailure(byte[] bytes, bool readAhead, XlsxReaderOptions? options = null)
    {
        var rows = 0;
        try
        {
            using var reader = XlsxDataReader.Create(new MemoryStream(bytes), options ?? new XlsxReaderOptions { ReadAhead = readAhead, HasHeaderRow = false });
            while (reader.Read())
            {
                rows++;
            }

            return (rows, null);
        }
        catch (Exception ex)
        {
            return (rows, ex);
        }
    }

    private static string Describe(XlsxDataReader reader) => string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetCellType(i) switch
    {
        XlsxCellType.String => "String:" + reader.GetString(i),
        XlsxCellType.Number => "Number:" + reader.GetDouble(i).ToString(CultureInfo.InvariantCulture),
        XlsxCellType.DateTime => "DateTime:" + reader.GetDateTime(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        XlsxCellType.Boolean => "Boolean:" + reader.GetBoolean(i).ToString(CultureInfo.InvariantCulture),
        var other => other.ToString(),
    }));

    /// <summary>Where an entry's compressed bytes are, from its local header.</summary>
    private static (int Start, int Length) EntryData(byte[] zip, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 30 < zip.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i)) == 0x04034b50 && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                var compressed = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i + 18));
                var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 26));
                var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(i + 28));
                return (i + 30 + nameLength + extraLength, compressed);
            }
        }

        throw new InvalidOperationException("No entry " + name);
    }
}
