using System.IO.Compression;
using System.Text;
using DataImport.Xlsx;
using FluentAssertions;
using static DataImport.Tests.Xlsx.X;

namespace DataImport.Tests.Xlsx;

public sealed class XlsxHostileFileTests
{
    [Fact]
    public void Create_NonZip_ThrowsNotAZip()
    {
        var act = () => XlsxDataReader.Create(new MemoryStream(Encoding.UTF8.GetBytes("Name,City\nAnn,Oslo\n")));

        act.Should().Throw<InvalidDataException>().WithMessage("The file is not a valid XLSX workbook (not a zip archive)*");
    }

    [Fact]
    public void Create_EncryptedWorkbook_SaysItIsPasswordProtected()
    {
        var act = () => XlsxDataReader.Create(new MemoryStream(TestCompoundFile.EncryptedWorkbook()));

        act.Should().Throw<InvalidDataException>()
            .WithMessage("The workbook is password-protected (encrypted); save it without a password and upload it again.");
    }

    [Fact]
    public void Create_LegacyXlsCompoundFile_KeepsTheNotAZipHint()
    {
        var act = () => XlsxDataReader.Create(new MemoryStream(TestCompoundFile.LegacyWorkbook()));

        act.Should().Throw<InvalidDataException>().WithMessage("The file is not a valid XLSX workbook (not a zip archive)*legacy .xls*");
    }

    [Fact]
    public async Task Import_EncryptedWorkbook_FailsTheJobSayingItIsPasswordProtected()
    {
        using var file = new TempFile(TestCompoundFile.EncryptedWorkbook(), ".xlsx");
        await using var input = file.Open();

        var job = await TestEngine.Dynamic().RunAsync(
            new ImportRequest { Entity = "Customer", FileType = "xlsx", File = input, FileName = "secret.xlsx" }, new InMemoryImportSink<ImportRecord>());

        job.Status.Should().Be(ImportJobStatus.Failed);
        job.Message.Should().Be("The workbook is password-protected (encrypted); save it without a password and upload it again.");
        job.ProcessedItems.Should().Be(0);
    }

    [Fact]
    public void Create_EmptyStream_ThrowsNotAZip()
    {
        var act = () => XlsxDataReader.Create(new MemoryStream());

        act.Should().Throw<InvalidDataException>().WithMessage("*not a zip archive*");
    }

    [Fact]
    public void Create_ZipWithoutWorkbook_ThrowsNoWorkbookPart()
    {
        var x = new TestXlsx { IncludeWorkbook = false, IncludeRootRels = false }.Sheet("S", Row(1, N("A1", "1")));
        var act = () => x.Open();

        act.Should().Throw<InvalidDataException>().WithMessage("*no workbook part*");
    }

    [Fact]
    public void Create_NoRootRels_FallsBackToDefaultWorkbookPath()
    {
        var x = new TestXlsx { IncludeRootRels = false }.Sheet("S", Row(1, N("A1", "1")));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
    }

    [Fact]
    public void Create_DeclaredSizeOverLimit_ThrowsNamingLimit()
    {
        var bytes = BuildBigSheet(3_000_000);
        var act = () => XlsxDataReader.Create(new MemoryStream(bytes), new XlsxReaderOptions { MaxPartUncompressedBytes = 1_000_000, MaxCompressionRatio = 1e9 });

        act.Should().Throw<InvalidDataException>().WithMessage("*MaxPartUncompressedBytes*");
    }

    [Fact]
    public void Create_ZipBombRatio_ThrowsNamingRatioLimit()
    {
        var bytes = BuildBigSheet(50_000_000);
        bytes.Length.Should().BeLessThan(1_000_000);
        var act = () => XlsxDataReader.Create(new MemoryStream(bytes), new XlsxReaderOptions { MaxPartUncompressedBytes = 1_000_000_000 });

        act.Should().Throw<InvalidDataException>().WithMessage("*MaxCompressionRatio*");
    }

    [Fact]
    public void Read_ActualSizeOverLyingDeclaredSize_Throws()
    {
        var bytes = BuildBigSheet(5_000_000);
        TestXlsx.PatchDeclaredSize(bytes, "xl/worksheets/sheet1.xml", 1000);
        var act = () =>
        {
            using var r = XlsxDataReader.Create(new MemoryStream(bytes), new XlsxReaderOptions { MaxPartUncompressedBytes = 1_000_000, MaxCompressionRatio = 1e9, HasHeaderRow = false });
            while (r.Read())
            {
            }
        };

        // .NET's ZipArchive stops at the declared size, so the lie surfaces as truncated XML; the byte counting in
        // XlsxLimitedStream is defense in depth for decompressors that do not (covered by the LimitedStream tests below).
        act.Should().Throw<InvalidDataException>().WithMessage("*sheet1.xml*");
    }

    [Fact]
    public void LimitedStream_ActualBytesOverLimit_ThrowsNamingLimit()
    {
        using var s = new XlsxLimitedStream(new MemoryStream(new byte[3_000_000]), "xl/worksheets/sheet1.xml", 2_000_000, 1_000_000, 1e9);
        var act = () => s.CopyTo(Stream.Null);

        act.Should().Throw<InvalidDataException>().WithMessage("*sheet1.xml*MaxPartUncompressedBytes*");
    }

    [Fact]
    public void LimitedStream_ActualRatioOverLimit_ThrowsNamingLimit()
    {
        using var s = new XlsxLimitedStream(new MemoryStream(new byte[3_000_000]), "xl/worksheets/sheet1.xml", long.MaxValue, 1000, 100);
        var act = () => s.CopyTo(Stream.Null);

        act.Should().Throw<InvalidDataException>().WithMessage("*MaxCompressionRatio*");
    }

    [Fact]
    public void Read_TooManyColumns_Throws()
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", "1"), N("K1", "2")));
        var act = () =>
        {
            using var r = x.Open(new XlsxReaderOptions { MaxColumns = 10 });
        };

        act.Should().Throw<InvalidDataException>().WithMessage("*MaxColumns*");
    }

    [Fact]
    public void Read_ColumnReferenceBeyondXfd_Throws()
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", "1")), Row(2, N("ZZZZZZZZZZ2", "2")));
        var act = () =>
        {
            using var r = x.Open();
            while (r.Read())
            {
            }
        };

        act.Should().Throw<InvalidDataException>().WithMessage("*MaxColumns*");
    }

    [Fact]
    public void Create_TooManySharedStrings_Throws()
    {
        var x = new TestXlsx().Shared("a", "b", "c", "d").Sheet("S", Row(1, S("A1", 0)));
        var act = () => x.Open(new XlsxReaderOptions { MaxSharedStrings = 3 });

        act.Should().Throw<InvalidDataException>().WithMessage("*MaxSharedStrings*");
    }

    [Fact]
    public void Create_SharedStringsTooLarge_Throws()
    {
        var x = new TestXlsx().Shared(new string('x', 600), new string('y', 600)).Sheet("S", Row(1, S("A1", 0)));
        var act = () => x.Open(new XlsxReaderOptions { MaxSharedStringBytes = 2000 });

        act.Should().Throw<InvalidDataException>().WithMessage("*MaxSharedStringBytes*");
    }

    [Fact]
    public void Read_SharedStringIndexOutOfRange_Throws()
    {
        var x = new TestXlsx().Shared("a").Sheet("S", Row(1, S("A1", 5)));
        var act = () => x.Open(TestXlsx.NoHeader());

        act.Should().Throw<InvalidDataException>().WithMessage("*shared string*");
    }

    [Fact]
    public void Create_Dtd_TellsTheUserADtdIsNotAllowedWithoutDeveloperAdvice()
    {
        var xml = $"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><worksheet xmlns=\"{TestXlsx.MainNs}\"><sheetData><row><c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>";
        var x = new TestXlsx().RawSheet("S", xml);
        var act = () => x.Open();

        var thrown = act.Should().Throw<InvalidDataException>().Which;
        thrown.Message.Should().Be("The worksheet part 'xl/worksheets/sheet1.xml' of the XLSX file contains a DTD (a document type declaration), which is not allowed in a workbook; the file was not read.");
        thrown.Message.Should().NotContain("DtdProcessing");
    }

    [Fact]
    public void Create_DtdInSharedStrings_TellsTheUserADtdIsNotAllowed()
    {
        var x = new TestXlsx { SharedStringsXml = $"<!DOCTYPE sst SYSTEM \"sst.dtd\"><sst xmlns=\"{TestXlsx.MainNs}\"><si><t>a</t></si></sst>" }
            .Sheet("S", Row(1, S("A1", 0)));
        var act = () => x.Open();

        act.Should().Throw<InvalidDataException>().WithMessage("The shared strings part 'xl/sharedStrings.xml' of the XLSX file contains a DTD*not allowed*");
    }

    [Fact]
    public void Read_TruncatedSheetXml_ThrowsInvalidData()
    {
        var x = new TestXlsx().RawSheet("S", $"<worksheet xmlns=\"{TestXlsx.MainNs}\"><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>2");
        var act = () =>
        {
            using var r = x.Open(TestXlsx.NoHeader());
            while (r.Read())
            {
            }
        };

        act.Should().Throw<InvalidDataException>().WithMessage("*sheet1.xml*");
    }

    [Fact]
    public void Create_SheetRelationshipMissing_Throws()
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", "1")));
        var bytes = x.Build();
        using var ms = new MemoryStream();
        ms.Write(bytes);
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry("xl/worksheets/sheet1.xml")!.Delete();
        }

        ms.Position = 0;
        var act = () => XlsxDataReader.Create(ms);

        act.Should().Throw<InvalidDataException>().WithMessage("*'S'*no worksheet part*");
    }

    [Fact]
    public void Options_InvalidLimit_Throws()
    {
        var act = () => new XlsxReaderOptions { MaxColumns = 0 };

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static byte[] BuildBigSheet(long approxBytes)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string content)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                s.Write(Encoding.UTF8.GetBytes(content));
            }

            Add("xl/workbook.xml", $"<workbook xmlns=\"{TestXlsx.MainNs}\" xmlns:r=\"{TestXlsx.RelNs}\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
            Add("xl/_rels/workbook.xml.rels", $"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{TestXlsx.RelNs}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>");
            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Optimal).Open();
            sheet.Write(Encoding.UTF8.GetBytes($"<worksheet xmlns=\"{TestXlsx.MainNs}\"><sheetData>"));
            var chunk = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<row><c><v>1</v></c></row>", 4000)));
            for (long written = 0; written < approxBytes; written += chunk.Length)
            {
                sheet.Write(chunk);
            }

            sheet.Write(Encoding.UTF8.GetBytes("</sheetData></worksheet>"));
        }

        return ms.ToArray();
    }
}
