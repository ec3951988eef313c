using System.Globalization;
using DataImport.Xlsx;

namespace DataImport.Tests.Xlsx;

public sealed class XlsxNumberParsingTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("42")]
    [InlineData("-17.5")]
    [InlineData("0.1")]
    [InlineData("123.45")]
    [InlineData("999999999999999")]
    [InlineData("0.00000000000001")]
    [InlineData("45352.5")]
    [InlineData("1234.5678901234")]
    public void TryParseSimpleNumber_CommonCellValues_EqualsDoubleParse(string text)
    {
        XlsxSheetReader.TryParseSimpleNumber(text, out var value).Should().BeTrue();

        value.Should().Be(double.Parse(text, CultureInfo.InvariantCulture));
        BitConverter.DoubleToInt64Bits(value).Should().Be(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("1E-3")]
    [InlineData("1234567890123456")]
    [InlineData("1.2.3")]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("+5")]
    [InlineData(" 5")]
    public void TryParseSimpleNumber_OtherForms_FallBackToTheGeneralParser(string text)
    {
        XlsxSheetReader.TryParseSimpleNumber(text, out _).Should().BeFalse();
    }

    [Fact]
    public void TryParseSimpleNumber_RandomDecimals_AgreeBitForBitWithDoubleParse()
    {
        var random = new Random(7);
        for (var i = 0; i < 200_000; i++)
        {
            var integer = random.NextInt64(0, 10_000_000);
            var fraction = random.Next(0, 100_000_000);
            var text = $"{(random.Next(2) == 0 ? "-" : "")}{integer}.{fraction.ToString(CultureInfo.InvariantCulture).PadLeft(random.Next(1, 9), '0')}";
            if (XlsxSheetReader.TryParseSimpleNumber(text, out var value))
            {
                BitConverter.DoubleToInt64Bits(value).Should().Be(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), text);
            }
        }
    }
}
