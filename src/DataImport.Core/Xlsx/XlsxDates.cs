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
}
