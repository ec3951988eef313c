using FluentAssertions;
using static DataImport.Tests.Xlsx.X;

namespace DataImport.Tests.Xlsx;

public sealed class XlsxDateTests
{
    [Theory]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(22)]
    [InlineData(45)]
    [InlineData(46)]
    [InlineData(47)]
    public void Read_BuiltInDateFormat_ReturnsDateTime(int numFmtId)
    {
        var x = new TestXlsx().Styles([0, numFmtId]).Sheet("S", Row(1, N("A1", "45000.5", 1), N("B1", "45000.5", 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetCellType(0).Should().Be(XlsxCellType.DateTime);
        var value = r.GetValue(0).Should().BeOfType<DateTime>().Subject;
        value.Should().Be(new DateTime(2023, 3, 15, 12, 0, 0));
        value.Kind.Should().Be(DateTimeKind.Unspecified);
        r.GetValue(1).Should().Be(45000.5d);
        r.GetString(0).Should().Be("2023-03-15T12:00:00");
        r.GetDouble(0).Should().Be(45000.5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(13)]
    [InlineData(23)]
    [InlineData(44)]
    [InlineData(49)]
    public void Read_BuiltInNonDateFormat_ReturnsDouble(int numFmtId)
    {
        var x = new TestXlsx().Styles([0, numFmtId]).Sheet("S", Row(1, N("A1", "45000.5", 1)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(45000.5d);
    }

    [Theory]
    [InlineData("dd/mm/yyyy hh:mm", true)]
    [InlineData("yyyy-mm-dd", true)]
    [InlineData("[$-409]mmmm d, yyyy;@", true)]
    [InlineData("h:mm AM/PM", true)]
    [InlineData("[h]:mm:ss", true)]
    [InlineData("[mm]", true)]
    [InlineData("[ss].00", true)]
    [InlineData("0.00%", false)]
    [InlineData("[Red]0.00", false)]
    [InlineData("\"d\"0", false)]
    [InlineData("General", false)]
    [InlineData("0.00", false)]
    [InlineData("#,##0", false)]
    [InlineData("0.00E+00", false)]
    [InlineData("\\d0", false)]
    [InlineData("_(* #,##0_);_(* (#,##0);_(* \"-\"_);_(@_)", false)]
    [InlineData("#,##0 \"days\";[Red]-#,##0 \"days\"", false)]
    [InlineData("@", false)]
    public void IsDateFormatCode_Code_Classified(string code, bool expected) =>
        XlsxStyles.IsDateFormatCode(code).Should().Be(expected);

    [Theory]
    [InlineData("dd/mm/yyyy hh:mm", true)]
    [InlineData("0.00%", false)]
    [InlineData("[Red]0.00", false)]
    [InlineData("\"d\"0", false)]
    public void Read_CustomFormat_DateOnlyWhenDateCode(string code, bool isDate)
    {
        var x = new TestXlsx().Styles([0, 164], (164, code)).Sheet("S", Row(1, N("A1", "45000.25", 1)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        if (isDate)
        {
            r.GetValue(0).Should().Be(new DateTime(2023, 3, 15, 6, 0, 0));
        }
        else
        {
            r.GetValue(0).Should().Be(45000.25d);
        }
    }

    [Theory]
    [InlineData("59", 1900, 2, 28)]
    [InlineData("61", 1900, 3, 1)]
    [InlineData("1", 1900, 1, 1)]
    [InlineData("0", 1899, 12, 31)]
    [InlineData("60", 1900, 2, 28)]
    [InlineData("36526", 2000, 1, 1)]
    public void Read_1900System_LeapYearQuirkHandled(string serial, int y, int m, int d)
    {
        var x = new TestXlsx().Styles([14]).Sheet("S", Row(1, N("A1", serial, 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetDateTime(0).Should().Be(new DateTime(y, m, d));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    public void Read_1904System_UsesEpoch1904(string flag)
    {
        var x = new TestXlsx { Date1904 = true, Date1904Value = flag }.Styles([0, 14])
            .Sheet("S", Row(1, N("A1", "0", 1), N("B1", "43538", 1), N("C1", "1.5", 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(new DateTime(1904, 1, 1));
        r.GetValue(1).Should().Be(new DateTime(2023, 3, 15));
        r.GetDateTime(2).Should().Be(new DateTime(1904, 1, 2, 12, 0, 0));
    }

    [Fact]
    public void Read_1904SystemSavedByModernExcel_Extx15WorkbookPrDoesNotResetIt()
    {
        // Excel 2013+ writes <x15:workbookPr chartTrackingRefBase="1"/> in extLst, after the main workbookPr.
        var x = new TestXlsx
        {
            Date1904 = true,
            WorkbookTailXml = "<extLst><ext uri=\"{140A7094-0E35-4892-8432-C4D2E57EDEB5}\" xmlns:x15=\"http://schemas.microsoft.com/office/spreadsheetml/2010/11/main\">" +
                "<x15:workbookPr chartTrackingRefBase=\"1\"/></ext></extLst>",
        }.Styles([14]).Sheet("S", Row(1, N("A1", "43538", 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetDateTime(0).Should().Be(new DateTime(2023, 3, 15));
    }

    [Fact]
    public void Read_DateTime_RoundedToMillisecond()
    {
        // 0.1 ms past 12:00:00.123
        var x = new TestXlsx().Styles([22]).Sheet("S", Row(1, N("A1", (45000.5 + (0.1234 / 86400)).ToString("R", System.Globalization.CultureInfo.InvariantCulture), 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetDateTime(0).Should().Be(new DateTime(2023, 3, 15, 12, 0, 0, 123));
        r.GetString(0).Should().Be("2023-03-15T12:00:00.123");
    }

    [Fact]
    public void Read_IsoDateCell_ReturnsDateTime()
    {
        var x = new TestXlsx().Sheet("S", Row(1, "<c r=\"A1\" t=\"d\"><v>2024-02-29T13:45:00</v></c>", "<c r=\"B1\" t=\"d\"><v>2024-01-05</v></c>", "<c r=\"C1\" t=\"d\"><v>2024-01-05T10:00:00Z</v></c>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(new DateTime(2024, 2, 29, 13, 45, 0));
        r.GetString(1).Should().Be("2024-01-05");
        r.GetDateTime(2).Should().Be(new DateTime(2024, 1, 5, 10, 0, 0));
        r.GetDateTime(2).Kind.Should().Be(DateTimeKind.Unspecified);
    }

    [Fact]
    public void Read_DateStyleOnNegativeNumber_StaysNumber()
    {
        var x = new TestXlsx().Styles([14]).Sheet("S", Row(1, N("A1", "-5", 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(-5d);
    }

    [Fact]
    public void Read_StyleIndexBeyondCellXfs_IsNotDate()
    {
        var x = new TestXlsx().Styles([14]).Sheet("S", Row(1, N("A1", "45000", 7)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(45000d);
    }
}
