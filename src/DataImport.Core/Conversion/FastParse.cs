using System.Globalization;

namespace DataImport.Conversion;

/// <summary>
/// Fast paths for the commonest cell shapes: a plain decimal (<c>-1234.50</c>) and a numeric date in a simple pattern
/// (<c>M/d/yyyy</c>, <c>yyyy-MM-dd</c>). Each accepts a strict subset of what the framework parser accepts and gives
/// the same value; anything else returns <see langword="false"/> and the caller runs the full parser, so results never
/// differ, only the time taken.
/// </summary>
internal static class FastParse
{
    /// <summary>Parses <c>[-]digits[&lt;separator&gt;digits]</c> with at most 18 digits, keeping the scale as written.</summary>
    public static bool TryParsePlainDecimal(ReadOnlySpan<char> text, char decimalSeparator, out decimal result)
    {
        result = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] == '-')
        {
            negative = true;
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var scale = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                mantissa = (mantissa * 10) + (uint)(c - '0');
                digits++;
                if (scale >= 0)
                {
                    scale++;
                }
            }
            else if (c == decimalSeparator && scale < 0 && digits > 0)
            {
                scale = 0;
            }
            else
            {
                return false;
            }
        }

        // Needs digits on both sides of the separator; the framework decides "-0", "5." and longer numbers.
        if (digits is 0 or > 18 || scale == 0 || (negative && mantissa == 0))
        {
            return false;
        }

        result = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)Math.Max(scale, 0));
        return true;
    }
}

/// <summary>
/// A date format of only <c>M</c>, <c>MM</c>, <c>d</c>, <c>dd</c>, <c>yyyy</c> and separators, compiled once, for
/// parsing without the framework's general machinery. Matches what <c>DateTime.TryParseExact</c>
/// accepts for input without white space: <c>M</c>/<c>d</c> take one or two digits, <c>MM</c>/<c>dd</c> two, <c>yyyy</c> four.
/// </summary>
internal sealed class SimpleDateFormat
{
    private readonly (char Kind, int Min, int Max)[] _parts;

    private SimpleDateFormat((char Kind, int Min, int Max)[] parts)
    {
        _parts = parts;
    }

    /// <summary>Compiles a format, or returns <see langword="null"/> when it uses anything beyond the simple tokens.</summary>
    public static SimpleDateFormat? TryCompile(string format, CultureInfo culture)
    {
        if (culture.DateTimeFormat.Calendar is not GregorianCalendar || culture.DateTimeFormat.Calendar.GetType() != typeof(GregorianCalendar))
        {
            return null;
        }

        var parts = new List<(char, int, int)>();
        bool hasYear = false, hasMonth = false, hasDay = false;
        for (var i = 0; i < format.Length;)
        {
            var c = format[i];
            var run = 1;
            while (i + run < format.Length && format[i + run] == c)
            {
                run++;
            }

            switch (c)
            {
                case 'M' when run <= 2 && !hasMonth:
                    hasMonth = true;
                    parts.Add(('M', run == 1 ? 1 : 2, 2));
                    break;
                case 'd' when run <= 2 && !hasDay:
                    hasDay = true;
                    parts.Add(('d', run == 1 ? 1 : 2, 2));
                    break;
                case 'y' when run == 4 && !hasYear:
                    hasYear = true;
                    parts.Add(('y', 4, 4));
                    break;
                case '/' when run == 1 && culture.DateTimeFormat.DateSeparator.Length == 1 && !char.IsWhiteSpace(culture.DateTimeFormat.DateSeparator[0]) && !char.IsAsciiDigit(culture.DateTimeFormat.DateSeparator[0]):
                    parts.Add(('/', culture.DateTimeFormat.DateSeparator[0], 0));
                    break;
                case '-' or '.' when run == 1:
                    parts.Add(('/', c, 0));
                    break;
                default:
                    return null;
            }

            i += run;
        }

        return hasYear && hasMonth && hasDay ? new SimpleDateFormat([.. parts]) : null;
    }

    public bool TryParse(ReadOnlySpan<char> text, out DateTime result)
    {
        result = default;
        int year = 0, month = 0, day = 0, at = 0;
        foreach (var (kind, min, max) in _parts)
        {
            if (kind == '/')
            {
                if (at >= text.Length || text[at] != (char)min)
                {
                    return false;
                }

                at++;
                continue;
            }

            var value = 0;
            var count = 0;
            while (count < max && at < text.Length && char.IsAsciiDigit(text[at]))
            {
                value = (value * 10) + (text[at] - '0');
                at++;
                count++;
            }

            if (count < min)
            {
                return false;
            }

            switch (kind)
            {
                case 'y':
                    year = value;
                    break;
                case 'M':
                    month = value;
                    break;
                default:
                    day = value;
                    break;
            }
        }

        if (at != text.Length || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        result = new DateTime(year, month, day);
        return true;
    }
}
