using DataImport.Xlsx;
using FluentAssertions;
using static DataImport.Tests.Xlsx.X;

namespace DataImport.Tests.Xlsx;

public sealed class XlsxDataReaderTests
{
    [Fact]
    public void Read_SharedStrings_ReturnsHeaderAndStrings()
    {
        var x = new TestXlsx().Shared("Name", "City", "Ann", "Oslo", "Bob", "Rome")
            .Sheet("Data", Row(1, S("A1", 0), S("B1", 1)), Row(2, S("A2", 2), S("B2", 3)), Row(3, S("A3", 4), S("B3", 5)));
        using var r = x.Open();

        r.FieldCount.Should().Be(2);
        r.GetName(0).Should().Be("Name");
        r.GetName(1).Should().Be("City");
        r.GetOrdinal("city").Should().Be(1);
        r.HasRows.Should().BeTrue();
        r.Read().Should().BeTrue();
        r.RowNumber.Should().Be(2);
        r.GetString(0).Should().Be("Ann");
        r.GetValue(1).Should().Be("Oslo");
        r["City"].Should().Be("Oslo");
        r.GetCellType(0).Should().Be(XlsxCellType.String);
        r.Read().Should().BeTrue();
        r.GetString(0).Should().Be("Bob");
        r.RowNumber.Should().Be(3);
        r.Read().Should().BeFalse();
        r.RowNumber.Should().Be(0);
    }

    [Fact]
    public void Read_InlineStrings_ReturnsText()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "h1"), Inline("B1", "h2")), Row(2, Inline("A2", "a & b"), Inline("B2", "<x>")));
        using var r = x.Open();

        r.GetName(0).Should().Be("h1");
        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be("a & b");
        r.GetValue(1).Should().Be("<x>");
    }

    [Fact]
    public void Read_RichTextWithPhonetic_ConcatenatesRunsAndIgnoresPhonetic()
    {
        var x = new TestXlsx().Sheet("S", Row(1, S("A1", 0), S("B1", 1)));
        x.SharedStringsXml = $"""
            <sst xmlns="{TestXlsx.MainNs}">
              <si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space="preserve"> and </t></r><r><t>plain</t></r></si>
              <si><t>漢字</t><rPh sb="0" eb="2"><t>カンジ</t></rPh><phoneticPr fontId="1"/></si>
            </sst>
            """;
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetString(0).Should().Be("Bold and plain");
        r.GetString(1).Should().Be("漢字");
    }

    [Fact]
    public void Read_InlineRichText_ConcatenatesRuns()
    {
        var x = new TestXlsx().Sheet("S", Row(1, "<c r=\"A1\" t=\"inlineStr\"><is><r><t>a</t></r><r><t xml:space=\"preserve\"> b</t></r><rPh><t>zz</t></rPh></is></c>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetString(0).Should().Be("a b");
    }

    [Fact]
    public void Read_TextWithoutXmlSpacePreserve_SurroundingSpacesTrimmedAsExcelShowsThem()
    {
        var x = new TestXlsx().Sheet("S", Row(1,
            S("A1", 0),
            S("B1", 1),
            S("C1", 2),
            "<c r=\"D1\" t=\"inlineStr\"><is><t>   inline   </t></is></c>",
            "<c r=\"E1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">   kept   </t></is></c>",
            "<c r=\"F1\" t=\"inlineStr\"><is><r><t>  run  </t></r><r><t xml:space=\"preserve\"> run </t></r></is></c>"));
        x.SharedStringsXml = $"""
            <sst xmlns="{TestXlsx.MainNs}">
              <si><t>   shared   </t></si>
              <si><t xml:space="preserve">   shared   </t></si>
              <si><r><t>&#10;  Bold  </t></r><r><t xml:space="preserve">  and  </t></r><r><t>  plain&#9;</t></r></si>
            </sst>
            """;
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetString(0).Should().Be("shared");
        r.GetString(1).Should().Be("   shared   ");
        r.GetString(2).Should().Be("Bold  and  plain");
        r.GetString(3).Should().Be("inline");
        r.GetString(4).Should().Be("   kept   ");
        r.GetString(5).Should().Be("run run ");
    }

    [Fact]
    public void Read_FormulaCachedString_ReturnsCachedValue()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Str("A1", "CONCAT(\"a\",\"b\")", "ab"), "<c r=\"B1\"><f>1+1</f><v>2</v></c>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be("ab");
        r.GetValue(1).Should().Be(2d);
    }

    [Fact]
    public void Read_Booleans_ReturnsBool()
    {
        var x = new TestXlsx().Sheet("S", Row(1, B("A1", true), B("B1", false)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(true);
        r.GetBoolean(1).Should().BeFalse();
        r.GetString(0).Should().Be("TRUE");
        r.GetString(1).Should().Be("FALSE");
        r.GetCellType(0).Should().Be(XlsxCellType.Boolean);
    }

    [Fact]
    public void Read_ErrorCells_ReturnsErrorTextAndIsError()
    {
        var x = new TestXlsx().Sheet("S", Row(1, E("A1", "#N/A"), E("B1", "#DIV/0!"), N("C1", "1")));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be("#N/A");
        r.IsError(0).Should().BeTrue();
        r.GetString(1).Should().Be("#DIV/0!");
        r.GetCellType(1).Should().Be(XlsxCellType.Error);
        r.IsError(2).Should().BeFalse();
        r.IsDBNull(0).Should().BeFalse();
    }

    [Theory]
    [InlineData("1", 1d)]
    [InlineData("-2.5", -2.5)]
    [InlineData("1E-3", 0.001)]
    [InlineData("1.5e10", 1.5e10)]
    [InlineData("6.0221409E+23", 6.0221409e23)]
    [InlineData("0.1", 0.1)]
    public void Read_Numbers_ParsesInvariant(string raw, double expected)
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", raw), $"<c r=\"B1\" t=\"n\"><v>{raw}</v></c>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(expected);
        r.GetDouble(1).Should().Be(expected);
        r.GetCellType(0).Should().Be(XlsxCellType.Number);
    }

    [Fact]
    public void GetString_Number_UsesInvariantShortestForm()
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", "0.1"), N("B1", "1E-3"), N("C1", "12345678901234")));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetString(0).Should().Be("0.1");
        r.GetString(1).Should().Be("0.001");
        r.GetString(2).Should().Be("12345678901234");
        r.GetInt64(2).Should().Be(12345678901234L);
        r.GetDecimal(0).Should().Be(0.1m);
    }

    [Fact]
    public void GetInt32_Fraction_ThrowsInvalidCast()
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", "1.5"), N("B1", "42")));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetInt32(1).Should().Be(42);
        var act = () => r.GetInt32(0);
        act.Should().Throw<InvalidCastException>();
    }

    [Fact]
    public void Read_MissingRowAndCellReferences_UsesRunningPosition()
    {
        var x = new TestXlsx().Sheet("S", Row(null, N(null, "1"), N(null, "2")), Row(null, N(null, "3"), N("D2", "4"), N(null, "5")));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.RowNumber.Should().Be(1);
        r.GetDouble(1).Should().Be(2);
        r.Read().Should().BeTrue();
        r.RowNumber.Should().Be(2);
        r.GetDouble(0).Should().Be(3);
        r.IsDBNull(1).Should().BeTrue();
        r.RowFieldCount.Should().Be(5);
        r.GetDouble(3).Should().Be(4);
        r.GetDouble(4).Should().Be(5);
    }

    [Fact]
    public void Read_SparseRows_SkipsAbsentRowsAndExposesRowNumber()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "H")), Row(2, N("A2", "1")), Row(5, N("A5", "2")), Row(9, N("A9", "3")));
        using var r = x.Open();

        var rows = new List<(int, double)>();
        while (r.Read())
        {
            rows.Add((r.RowNumber, r.GetDouble(0)));
        }

        rows.Should().Equal((2, 1d), (5, 2d), (9, 3d));
    }

    [Fact]
    public void Read_SparseCells_MissingCellsAreDbNull()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "a"), Inline("B1", "b"), Inline("C1", "c"), Inline("D1", "d")), Row(2, N("B2", "7"), "<c r=\"C2\" s=\"0\"/>"));
        using var r = x.Open();

        r.FieldCount.Should().Be(4);
        r.Read().Should().BeTrue();
        r.IsDBNull(0).Should().BeTrue();
        r.GetValue(0).Should().Be(DBNull.Value);
        r.GetDouble(1).Should().Be(7);
        r.GetValue(2).Should().Be(DBNull.Value);
        r.GetValue(3).Should().Be(DBNull.Value);
        r.GetCellType(3).Should().Be(XlsxCellType.Empty);
        var act = () => r.GetString(0);
        act.Should().Throw<InvalidCastException>();
    }

    [Fact]
    public void Read_RowSplitAcrossRepeatedRowElements_IsOneRow()
    {
        // Some generators write every cell in a row element of its own, all with the row's r.
        var x = new TestXlsx().Sheet("S",
            Row(1, Inline("A1", "Name")), Row(1, Inline("B1", "City")),
            Row(2, Inline("A2", "Ann")), Row(2, Inline("B2", "Oslo")), Row(2),
            Row(3, Inline("B3", "Rome")), Row(3, Inline("A3", "Bob")));
        using var r = x.Open();

        r.FieldCount.Should().Be(2);
        r.GetName(1).Should().Be("City");
        var rows = new List<(int, string, string)>();
        while (r.Read())
        {
            rows.Add((r.RowNumber, r.GetString(0), r.GetString(1)));
        }

        rows.Should().Equal((2, "Ann", "Oslo"), (3, "Bob", "Rome"));
    }

    [Fact]
    public void Read_RowAfterSplitRowTruncated_SplitRowStillReadBeforeTheError()
    {
        var x = new TestXlsx().RawSheet("S", $"<worksheet xmlns=\"{TestXlsx.MainNs}\"><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"1\"><c r=\"B1\"><v>2</v></c></row><row r=\"2\" <c");
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetDouble(1).Should().Be(2);
        var act = () => r.Read();
        act.Should().Throw<InvalidDataException>().WithMessage("*not well-formed*");
    }

    [Fact]
    public void Read_BlankRowElement_IsReturned()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "a")), Row(2, N("A2", "1")), "<row r=\"3\" spans=\"1:1\"><c r=\"A3\" s=\"1\"/></row>", "<row r=\"4\"/>", Row(5, N("A5", "2")));
        using var r = x.Open();

        var rows = new List<(int, int)>();
        while (r.Read())
        {
            rows.Add((r.RowNumber, r.RowFieldCount));
        }

        rows.Should().Equal((2, 1), (3, 0), (4, 0), (5, 1));
    }

    [Fact]
    public void Read_NoDimensionElement_ReadsAllRows()
    {
        // WrapSheet writes no <dimension>; also check a sheet with a wrong dimension is ignored.
        var x = new TestXlsx().RawSheet("S", TestXlsx.WrapSheet(Row(1, N("A1", "1"), N("B1", "2"), N("C1", "3")), "<dimension ref=\"A1\"/>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.FieldCount.Should().Be(3);
        r.Read().Should().BeTrue();
        r.GetDouble(2).Should().Be(3);
    }

    [Fact]
    public void Read_NoStylesPart_NumbersStayDoubles()
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", "45000", 1)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(45000d);
        r.GetDateTime(0).Should().Be(new DateTime(2023, 3, 15));
    }

    [Fact]
    public void Read_EmptySheetWithHeader_HasNoFieldsAndNoRows()
    {
        var x = new TestXlsx().Sheet("S");
        using var r = x.Open();

        r.FieldCount.Should().Be(0);
        r.HasRows.Should().BeFalse();
        r.Read().Should().BeFalse();
    }

    [Fact]
    public void Read_EmptySelfClosingSheetData_HasNoRows()
    {
        var x = new TestXlsx().RawSheet("S", $"<worksheet xmlns=\"{TestXlsx.MainNs}\"><sheetData/></worksheet>");
        using var r = x.Open(TestXlsx.NoHeader());

        r.FieldCount.Should().Be(0);
        r.Read().Should().BeFalse();
    }

    [Fact]
    public void Read_HeaderOnly_HasFieldsButNoRows()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "a"), Inline("B1", "b")));
        using var r = x.Open();

        r.FieldCount.Should().Be(2);
        r.HasRows.Should().BeFalse();
        r.Read().Should().BeFalse();
    }

    [Fact]
    public void Read_HeaderOff_FirstRowIsDataAndNamesEmpty()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "a"), N("B1", "1")), Row(2, Inline("A2", "b"), N("B2", "2"), N("C2", "9")));
        using var r = x.Open(TestXlsx.NoHeader());

        r.FieldCount.Should().Be(2);
        r.GetName(0).Should().BeEmpty();
        r.Read().Should().BeTrue();
        r.RowNumber.Should().Be(1);
        r.GetString(0).Should().Be("a");
        r.Read().Should().BeTrue();
        r.RowFieldCount.Should().Be(3);
        r.GetDouble(2).Should().Be(9);
        var values = new object[5];
        r.GetValues(values).Should().Be(3, "the sheet is as wide as its widest row read");
        values[0].Should().Be("b");
    }

    [Fact]
    public void FieldCount_NarrowTitleRowAboveTable_ComesFromTheDimension()
    {
        var x = new TestXlsx().RawSheet("S", TestXlsx.WrapSheet(
            Row(1, Inline("A1", "Customers")) + Row(2, Inline("A2", "Ann"), Inline("B2", "ann@x.com"), N("D2", "7")),
            "<dimension ref=\"A1:D2\"/>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.FieldCount.Should().Be(4);
        r.Read().Should().BeTrue();
        r.IsDBNull(3).Should().BeTrue();
        r.Read().Should().BeTrue();
        r.GetDouble(3).Should().Be(7);
    }

    [Fact]
    public void FieldCount_NarrowTitleRowWithoutDimension_GrowsWithTheWidestRowRead()
    {
        var x = new TestXlsx().Sheet("S",
            Row(1, Inline("A1", "Customers")), Row(2, Inline("A2", "Ann"), Inline("B2", "ann@x.com")), Row(3, N("C3", "5")));
        using var r = x.Open(TestXlsx.NoHeader());

        r.FieldCount.Should().Be(1);
        r.Read().Should().BeTrue();
        r.Read().Should().BeTrue();
        r.FieldCount.Should().Be(2);
        r.Read().Should().BeTrue();
        r.FieldCount.Should().Be(3);
        r.IsDBNull(1).Should().BeTrue();
    }

    [Fact]
    public void FieldCount_HeaderIsANarrowTitleRow_FirstDataRowWidensIt()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "Customers")), Row(2, Inline("A2", "Ann"), Inline("B2", "ann@x.com"), N("C2", "5")));
        using var r = x.Open();

        r.FieldCount.Should().Be(3);
        r.GetName(2).Should().BeEmpty();
    }

    [Fact]
    public void GetName_EmptyAndNonStringHeaders_ConvertedToText()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "a"), N("C1", "2024"), B("D1", true)), Row(2, N("A2", "1")));
        using var r = x.Open();

        r.FieldCount.Should().Be(4);
        r.GetName(1).Should().BeEmpty();
        r.GetName(2).Should().Be("2024");
        r.GetName(3).Should().Be("TRUE");
        var act = () => r.GetOrdinal("missing");
        act.Should().Throw<IndexOutOfRangeException>().WithMessage("*missing*");
    }

    [Fact]
    public void GetValue_BeyondFieldCountAndRow_ThrowsArgumentOutOfRange()
    {
        var x = new TestXlsx().Sheet("S", Row(1, Inline("A1", "a")), Row(2, N("A2", "1")));
        using var r = x.Open();

        var before = () => r.GetValue(0);
        before.Should().Throw<InvalidOperationException>();
        r.Read().Should().BeTrue();
        var act = () => r.GetValue(3);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(null, "First", 1d)]
    [InlineData("second", "Second", 2d)]
    [InlineData("SECOND", "Second", 2d)]
    [InlineData("3", "Third", 3d)]
    [InlineData("1", "First", 1d)]
    public void Create_SheetSelection_ReadsChosenSheet(string? sheet, string expectedName, double expected)
    {
        var x = new TestXlsx { AbsoluteTargets = sheet == "3" }
            .Sheet("First", Row(1, N("A1", "1")))
            .Sheet("Second", Row(1, N("A1", "2")))
            .Sheet("Third", Row(1, N("A1", "3")));
        using var r = x.Open(new XlsxReaderOptions { Sheet = sheet, HasHeaderRow = false });

        r.SheetName.Should().Be(expectedName);
        r.SheetNames.Should().Equal("First", "Second", "Third");
        r.Read().Should().BeTrue();
        r.GetDouble(0).Should().Be(expected);
    }

    [Theory]
    [InlineData("Nope")]
    [InlineData("4")]
    [InlineData("0")]
    public void Create_UnknownSheet_ThrowsListingSheets(string sheet)
    {
        var x = new TestXlsx().Sheet("Alpha", Row(1, N("A1", "1"))).Sheet("Beta", Row(1, N("A1", "2")));
        var act = () => x.Open(new XlsxReaderOptions { Sheet = sheet });

        act.Should().Throw<InvalidDataException>().WithMessage("*'Alpha', 'Beta'*");
    }

    [Fact]
    public void Create_NonSeekableStream_CopiesAndReads()
    {
        var bytes = new TestXlsx().Sheet("S", Row(1, Inline("A1", "h")), Row(2, N("A2", "42"))).Build();
        using var r = XlsxDataReader.Create(new NonSeekableStream(bytes));

        r.Read().Should().BeTrue();
        r.GetDouble(0).Should().Be(42);
    }

    [Fact]
    public async Task CreateAsync_NonSeekableStream_CopiesAndReads()
    {
        var bytes = new TestXlsx().Sheet("S", Row(1, Inline("A1", "h")), Row(2, N("A2", "42"))).Build();
        await using var r = await XlsxDataReader.CreateAsync(new NonSeekableStream(bytes), null, CancellationToken.None);

        (await r.ReadAsync()).Should().BeTrue();
        r.GetDouble(0).Should().Be(42);
        (await r.ReadAsync()).Should().BeFalse();
    }

    [Fact]
    public void Read_PrefixedNamespaceAndWhitespace_Parses()
    {
        var xml = """
            <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
              <x:sheetData>
                <x:row r="1">
                  <x:c r="A1" t="inlineStr"><x:is><x:t>name</x:t></x:is></x:c>
                </x:row>
                <x:row r="2">
                  <x:c r="A2"><x:v> 3.5 </x:v></x:c>
                </x:row>
              </x:sheetData>
            </x:worksheet>
            """;
        var x = new TestXlsx().RawSheet("S", xml);
        using var r = x.Open();

        r.GetName(0).Should().Be("name");
        r.Read().Should().BeTrue();
        r.GetDouble(0).Should().Be(3.5);
    }

    [Fact]
    public void Read_DisposedReader_Throws()
    {
        var x = new TestXlsx().Sheet("S", Row(1, N("A1", "1")));
        var r = x.Open(TestXlsx.NoHeader());
        r.Dispose();

        r.IsClosed.Should().BeTrue();
        var act = () => r.Read();
        act.Should().Throw<ObjectDisposedException>();
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Position
        {
            get => base.Position;
            set => throw new NotSupportedException();
        }

        public override long Length => throw new NotSupportedException();
    }
}
