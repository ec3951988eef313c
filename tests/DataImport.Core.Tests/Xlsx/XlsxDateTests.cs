using DataImport.Xlsx;
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

    [Theory]
    [InlineData(46, null)]
    [InlineData(164, "[h]:mm")]
    [InlineData(164, "[mm]:ss")]
    [InlineData(164, "[ss]")]
    [InlineData(164, "[Red][h]:mm:ss;@")]
    public void Read_ElapsedTimeFormat_ReturnsDurationSoSerials59And60StayADayApart(int numFmtId, string? code)
    {
        var styles = code is null ? new TestXlsx().Styles([numFmtId]) : new TestXlsx().Styles([numFmtId], (164, code));
        var x = styles.Sheet("S", Row(1, N("A1", "59", 0), N("B1", "60", 0), N("C1", "1.5", 0), N("D1", "0.0000115740740740741", 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetCellType(0).Should().Be(XlsxCellType.Duration);
        r.GetValue(0).Should().Be(TimeSpan.FromDays(59));
        r.GetValue(1).Should().Be(TimeSpan.FromDays(60));
        r.GetFieldValue<TimeSpan>(2).Should().Be(TimeSpan.FromHours(36));
        r.GetValue(3).Should().Be(TimeSpan.FromSeconds(1));
        r.GetDouble(1).Should().Be(60);
        r.GetString(0).Should().Be("1416:00:00");
        r.GetString(2).Should().Be("36:00:00");
    }

    [Fact]
    public void Read_StrictTimeOnlyDateCell_SameValueAsItsTransitionalTwinNotToday()
    {
        // Strict OOXML writes a time-formatted cell as t="d" ISO text; its transitional twin is the serial with a time format (21, h:mm:ss).
        var x = new TestXlsx().Styles([21])
            .Sheet("S", Row(1, "<c r=\"A1\" s=\"0\" t=\"d\"><v>10:59:59.9999999999984025</v></c>", N("B1", "0.458333333333333", 0)));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(new DateTime(1899, 12, 31, 11, 0, 0));
        r.GetValue(0).Should().Be(r.GetValue(1));
        r.GetDouble(0).Should().BeApproximately(r.GetDouble(1), 1e-12);
    }

    [Theory]
    [InlineData("PT24H0M0.000S", 24 * 60)]
    [InlineData("PT10H59M59.9999999S", 11 * 60)]
    [InlineData("P1DT2H", 26 * 60)]
    [InlineData("-PT1H30M", -90)]
    public void Read_StrictDurationDateCell_ReturnsDurationNotText(string iso, int minutes)
    {
        var x = new TestXlsx().Styles([46]).Sheet("S", Row(1, $"<c r=\"A1\" s=\"0\" t=\"d\"><v>{iso}</v></c>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetCellType(0).Should().Be(XlsxCellType.Duration);
        r.GetValue(0).Should().Be(TimeSpan.FromMinutes(minutes));
    }

    [Fact]
    public void Read_StrictDateTimeWithLongFraction_RoundedToTheMillisecond()
    {
        var x = new TestXlsx().Styles([22]).Sheet("S", Row(1, "<c r=\"A1\" s=\"0\" t=\"d\"><v>2023-03-15T10:59:59.9999999999984025</v></c>"));
        using var r = x.Open(TestXlsx.NoHeader());

        r.Read().Should().BeTrue();
        r.GetValue(0).Should().Be(new DateTime(2023, 3, 15, 11, 0, 0));
    }

    [Fact]
    public async Task Import_ElapsedTimeCell_NumberPropertyGetsDaysAndTimePropertyTheTimeOfDay()
    {
        const string Schema = """
            {"entities": [{"name": "Shift", "properties": [
              {"name": "Name", "type": "string"}, {"name": "Days", "type": "decimal"}, {"name": "Ends", "type": "time"}]}]}
            """;
        var x = new TestXlsx().Styles([0, 46]).Sheet("S",
            Row(1, Inline("A1", "night"), N("B1", "1.5", 1), N("C1", "1.5", 1)),
            Row(2, Inline("A2", "long"), N("B2", "60", 1), N("C2", "60.25", 1)));
        using var file = new TempFile(x.Build(), ".xlsx");
        await using var input = file.Open();
        var sink = new InMemoryImportSink<ImportRecord>();

        var job = await TestEngine.Create(b => b.AddEntitiesFromJson(Schema)).RunAsync(
            new ImportRequest { Entity = "Shift", FileType = "xlsx", File = input, HasHeaderRow = false, Mapping = ColumnMapping.Parse("""{"1":"Name","2":"Days","3":"Ends"}""") },
            sink);

        job.Status.Should().Be(ImportJobStatus.Completed, job.Message);
        job.CreatedCount.Should().Be(2, string.Join(" ", job.Errors.Select(e => e.Message)));
        sink.Records.Select(r => (r["Days"], r["Ends"])).Should().Equal((1.5m, new TimeOnly(12, 0)), (60m, new TimeOnly(6, 0)));
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
