using System.Globalization;
using DataImport.Conversion;

namespace DataImport.Tests.Conversion;

/// <summary>The fast paths must accept only what the framework accepts, with the same value (scale included).</summary>
public sealed class FastParseTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("12")]
    [InlineData("-12.50")]
    [InlineData("651.21")]
    [InlineData("0.00")]
    [InlineData("007.10")]
    [InlineData("123456789012345678")]
    [InlineData("1234567890.12345678")]
    public void TryParsePlainDecimal_PlainNumber_EqualsDecimalParseWithScale(string text)
    {
        FastParse.TryParsePlainDecimal(text, '.', out var fast).Should().BeTrue();
        var framework = decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        fast.Should().Be(framework);
        fast.ToString(CultureInfo.InvariantCulture).Should().Be(framework.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("-0")]
    [InlineData("-0.00")]
    [InlineData("5.")]
    [InlineData(".5")]
    [InlineData("+5")]
    [InlineData("1e3")]
    [InlineData("1,234.5")]
    [InlineData("1.2.3")]
    [InlineData("1234567890123456789")]
    [InlineData(" 12")]
    public void TryParsePlainDecimal_AnythingElse_LeftToTheFramework(string text) =>
        FastParse.TryParsePlainDecimal(text, '.', out _).Should().BeFalse();

    [Fact]
    public void SimpleDateFormat_EveryShape_AgreesWithTryParseExact()
    {
        var inv = CultureInfo.InvariantCulture;
        string[] formats = ["M/d/yyyy", "MM/dd/yyyy", "yyyy-MM-dd", "d.M.yyyy", "dd.MM.yyyy"];
        string[] inputs =
        [
            "1/5/2020", "01/05/2020", "12/31/1999", "2/29/2020", "2/29/2019", "13/1/2020", "0/1/2020", "1/0/2020", "1/32/2020",
            "1/5/20", "1/5/02020", "123/5/2020", "1/5/2020 ", "1//5/2020", "2020-01-05", "2020-1-5", "0000-01-01", "9999-12-31",
            "5.1.2020", "05.01.2020", "31.4.2020", "1/5/2020x", "", "a/b/cccc",
        ];
        foreach (var format in formats)
        {
            var fast = SimpleDateFormat.TryCompile(format, inv);
            fast.Should().NotBeNull(format);
            foreach (var input in inputs)
            {
                var expected = DateTime.TryParseExact(input, format, inv, DateTimeStyles.AllowWhiteSpaces, out var framework);
                if (fast!.TryParse(input, out var value))
                {
                    expected.Should().BeTrue($"{input} with {format}");
                    value.Should().Be(framework, $"{input} with {format}");
                }
                else if (expected)
                {
                    // A miss is fine (the full parser runs next) only for input the fast path does not claim: white space.
                    input.Any(char.IsWhiteSpace).Should().BeTrue($"{input} with {format} parses with the framework");
                }
            }
        }
    }

    [Theory]
    [InlineData("M/d/yyyy HH:mm")]
    [InlineData("MMM d yyyy")]
    [InlineData("yy-MM-dd")]
    [InlineData("'day' d M yyyy")]
    public void SimpleDateFormat_OtherTokens_NotCompiled(string format) =>
        SimpleDateFormat.TryCompile(format, CultureInfo.InvariantCulture).Should().BeNull();

    [Fact]
    public void SimpleDateFormat_NonGregorianCulture_NotCompiled() =>
        SimpleDateFormat.TryCompile("d/M/yyyy", CultureInfo.GetCultureInfo("th-TH")).Should().BeNull();

    [Fact]
    public void StringPool_RepeatedValue_ReturnsOneInstance()
    {
        var pool = new StringPool();
        var first = pool.GetOrAdd("Europe".AsSpan());
        pool.GetOrAdd("Europe".ToCharArray()).Should().BeSameAs(first);
        pool.GetOrAdd(new string('x', StringPool.MaxLength + 1)).Should().HaveLength(StringPool.MaxLength + 1);
    }

    [Fact]
    public void StringPool_PropertyThatRarelyRepeats_BypassesThePoolWithEqualStrings()
    {
        var pool = new StringPool();
        for (var i = 0; i < StringPool.Probe; i++)
        {
            pool.GetOrAdd($"user{i}@example.com", property: 3);
        }

        var first = pool.GetOrAdd("Europe".AsSpan(), property: 3);
        var second = pool.GetOrAdd("Europe".AsSpan(), property: 3);
        second.Should().Be(first).And.NotBeSameAs(first);
        pool.GetOrAdd("Asia".AsSpan(), property: 4).Should().BeSameAs(pool.GetOrAdd("Asia".AsSpan(), property: 4));
    }

    [Fact]
    public void StringPool_ValuesThatShareTheSampledChars_StayDistinctAndExact()
    {
        // Same length, same first, second, middle and last char: the same slot. Each lookup still returns its own text.
        var pool = new StringPool();
        for (var i = 0; i < 3; i++)
        {
            pool.GetOrAdd("abcXe".AsSpan(), property: 0).Should().Be("abcXe");
            pool.GetOrAdd("abcYe".AsSpan(), property: 0).Should().Be("abcYe");
        }

        pool.GetOrAdd("".AsSpan(), property: 0).Should().BeEmpty();
        pool.GetOrAdd("a".AsSpan(), property: 0).Should().Be("a");
    }
}
