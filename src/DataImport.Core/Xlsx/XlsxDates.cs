using System.Globalization;

namespace DataImport.Xlsx;

/// <summary>Conversion of Excel date serial numbers in the 1900 and 1904 date systems.</summary>
internal static class XlsxDates
{
    private const double MillisPerDay = 86_400_000d;
    private static readonly DateTime Epoch1900 = new(1899, 12, 30, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly DateTime Epoch1904 = new(1904, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private static readonly long MaxMillis1900 = (DateTime.MaxValue.Ticks - Epoch1900.Ticks) / TimeSpan.TicksPerMillisecond;
    private static readonly long MaxMillis1904 = (DateTime.MaxValue.Ticks - Epoch1904.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>
    /// Converts a serial to a DateTime rounded to the millisecond. 1900 system: serials below 60 are shifted by one day to undo
    /// Excel's fictitious 1900-02-29 (so 1 = 1900-01-01, 59 = 1900-02-28, 0 = 1899-12-31), the fictitious day 60 itself maps to
    /// 1900-02-28, and 61 = 1900-03-01. Negative or out-of-range serials are not dates.
    /// </summary>
    public static bool TryFromSerial(double serial, bool date1904, out DateTime value)
    {
        value = default;
        if (!(serial >= 0) || serial > 3_000_000)
        {
            return false;
        }

        long ms = (long)Math.Round(serial * MillisPerDay, MidpointRounding.AwayFromZero);
        if (date1904)
        {
            if (ms > MaxMillis1904)
            {
                return false;
            }

            value = Epoch1904.AddTicks(ms * TimeSpan.TicksPerMillisecond);
            return true;
        }

        const long Day = 86_400_000L;
        if (ms < 60 * Day)
        {
            ms += Day;
        }

        if (ms > MaxMillis1900)
        {
            return false;
        }

        value = Epoch1900.AddTicks(ms * TimeSpan.TicksPerMillisecond);
        return true;
    }

    /// <summary>Converts a DateTime back to a serial in the given date system (inverse of <see cref="TryFromSerial"/> outside the 1900 quirk).</summary>
    public static double ToSerial(DateTime value, bool date1904)
    {
        var epoch = date1904 ? Epoch1904 : Epoch1900;
        double days = (value.Ticks - epoch.Ticks) / (double)TimeSpan.TicksPerDay;
        if (!date1904 && days < 60)
        {
            days -= 1;
        }

        return days;
    }

    public static DateTime RoundToMillisecond(DateTime value)
    {
        long ticks = value.Ticks;
        long rem = ticks % TimeSpan.TicksPerMillisecond;
        ticks -= rem;
        if (rem >= TimeSpan.TicksPerMillisecond / 2 && ticks <= DateTime.MaxValue.Ticks - TimeSpan.TicksPerMillisecond)
        {
            ticks += TimeSpan.TicksPerMillisecond;
        }

        return new DateTime(ticks, DateTimeKind.Unspecified);
    }

    /// <summary>Rounds a length in days to the millisecond, as dates are (so 0.9999999999 of a second shows as the next second).</summary>
    public static TimeSpan ToDuration(double days) =>
        TimeSpan.FromMilliseconds(Math.Round(days * MillisPerDay, MidpointRounding.AwayFromZero));

    /// <summary>
    /// Parses a time of day without a date, <c>hh:mm[:ss[.fraction]]</c> (Strict OOXML's <c>t="d"</c> form of a time), into
    /// a fraction of a day; any number of fraction digits (Excel writes <c>10:59:59.9999999999984025</c>).
    /// </summary>
    public static bool TryParseTimeOfDay(ReadOnlySpan<char> text, out double fraction)
    {
        fraction = 0;
        var parts = text.Split(':');
        Span<double> values = stackalloc double[3];
        int count = 0;
        foreach (var range in parts)
        {
            var part = text[range];
            if (count == 3 || part.Length == 0)
            {
                return false;
            }

            if (count < 2 && (part.Length > 2 || part.IndexOfAnyExceptInRange('0', '9') >= 0))
            {
                return false;
            }

            if (!double.TryParse(part, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out values[count++]))
            {
                return false;
            }
        }

        if (count < 2 || values[0] > 23 || values[1] > 59 || values[2] >= 60)
        {
            return false;
        }

        fraction = ((values[0] * 3600) + (values[1] * 60) + values[2]) / 86_400d;
        return true;
    }

    /// <summary>
    /// Parses an ISO 8601 duration of days and time, <c>[-]P[nD][T[nH][nM][n[.n]S]]</c> (Strict OOXML writes elapsed times
    /// as <c>PT24H0M0.000S</c>), into days. Years, months and weeks have no fixed length and are refused.
    /// </summary>
    public static bool TryParseIsoDuration(ReadOnlySpan<char> text, out double days)
    {
        days = 0;
        bool negative = text.StartsWith("-");
        if (negative)
        {
            text = text[1..];
        }

        if (text.Length < 3 || text[0] != 'P')
        {
            return false;
        }

        double seconds = 0;
        bool inTime = false;
        bool any = false;
        int start = 1;
        for (int i = 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c is >= '0' and <= '9' or '.')
            {
                continue;
            }

            if (c == 'T' && !inTime && i == start)
            {
                inTime = true;
                start = i + 1;
                continue;
            }

            var number = text[start..i];
            if (number.Length == 0 || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n))
            {
                return false;
            }

            double unit = (inTime, c) switch
            {
                (false, 'D') => 86_400,
                (true, 'H') => 3600,
                (true, 'M') => 60,
                (true, 'S') => 1,
                _ => -1,
            };
            if (unit < 0)
            {
                return false;
            }

            seconds += n * unit;
            any = true;
            start = i + 1;
        }

        if (!any || start != text.Length)
        {
            return false;
        }

        days = (negative ? -seconds : seconds) / 86_400d;
        return true;
    }

    /// <summary>
    /// Parses <c>yyyy-MM-dd</c> or <c>yyyy-MM-ddThh:mm[:ss[.fraction]]</c> with any number of fraction digits (beyond what
    /// <see cref="DateTime.TryParse(string?, out DateTime)"/> takes), rounded to the millisecond; a zone suffix is left to the general parser.
    /// </summary>
    public static bool TryParseIsoDateTime(ReadOnlySpan<char> text, out DateTime value)
    {
        value = default;
        int t = text.IndexOf('T');
        var datePart = t < 0 ? text : text[..t];
        if (!DateTime.TryParseExact(datePart, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return false;
        }

        if (t < 0)
        {
            value = date;
            return true;
        }

        if (!TryParseTimeOfDay(text[(t + 1)..], out double fraction))
        {
            return false;
        }

        long ms = (long)Math.Round(fraction * MillisPerDay, MidpointRounding.AwayFromZero);
        if (date.Ticks > DateTime.MaxValue.Ticks - (ms * TimeSpan.TicksPerMillisecond))
        {
            return false;
        }

        value = date.AddTicks(ms * TimeSpan.TicksPerMillisecond);
        return true;
    }
}
