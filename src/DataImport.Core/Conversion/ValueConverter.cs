using System.Globalization;
using System.Runtime.CompilerServices;

namespace DataImport.Conversion;

/// <summary>
/// Converts a cell's text or typed value to a property value under one request's locale and timezone offset.
/// Parsing only: whether a value is present, short enough and allowed is the validation stage's
/// (<see cref="Validation.RowValidator"/>); an enum's values are its type, so they are checked here.
/// </summary>
/// <remarks>
/// Decisions where the spec is silent: values are trimmed, and whitespace-only counts as empty; a number's
/// group separators must sit every three digits (so <c>1234.5</c> under <c>de-DE</c> is an error rather than
/// silently 12345); an integral decimal text such as <c>12.0</c> is accepted for whole-number properties;
/// a spreadsheet number mapped to a date is read as a 1900-system serial.
/// </remarks>
internal sealed class ValueConverter
{
    private static readonly string[] IsoDateFormats = ["yyyy-MM-dd", "yyyyMMdd"];

    private static readonly string[] IsoDateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
    ];

    private static readonly string[] IsoTimeFormats = ["HH:mm:ss.FFFFFFF", "HH:mm", "H:mm", "H:mm:ss"];

    private readonly CultureInfo _culture;
    private readonly TimeSpan _offset;
    private readonly string _groupSeparator;
    private readonly string _decimalSeparator;
    private readonly bool _groupIsSpace;
    private readonly bool _groupIsApostrophe;
    private readonly StringPool _strings = new();
    private readonly char _fastDecimalSeparator;
    // Per property ordinal: the property the entry was compiled for (a converter serves one entity per run, but the
    // reference check keeps a stray property from another entity correct) and its compiled fast format, if any.
    private (EntityProperty? Property, SimpleDateFormat? Format)[] _fastDates = [];

    public ValueConverter(CultureInfo culture, TimeSpan offset)
    {
        _culture = culture;
        _offset = offset;
        _groupSeparator = culture.NumberFormat.NumberGroupSeparator;
        _decimalSeparator = culture.NumberFormat.NumberDecimalSeparator;
        _groupIsSpace = _groupSeparator.Length == 1 && char.IsWhiteSpace(_groupSeparator[0]);
        _groupIsApostrophe = _groupSeparator is "'" or "\u2019";

        // The plain-decimal fast path needs a one-character separator and the ASCII minus sign; otherwise it is off ('\0').
        _fastDecimalSeparator = _decimalSeparator.Length == 1 && culture.NumberFormat.NegativeSign == "-" && !char.IsAsciiDigit(_decimalSeparator[0]) ? _decimalSeparator[0] : '\0';
    }

    public CultureInfo Culture => _culture;

    /// <summary>Works out, once per run, how the per-row loop reads a column mapped to <paramref name="property"/>.</summary>
    public ColumnStep Plan(int column, EntityProperty property)
    {
        var date = property.Type == PropertyType.Date ? FastDateFormat(property) : null;
        var kind = property.Type switch
        {
            PropertyType.Int => PlainKind.Int,
            PropertyType.Long => PlainKind.Long,
            PropertyType.Decimal when _fastDecimalSeparator != '\0' => PlainKind.Decimal,
            PropertyType.Date when date is not null => PlainKind.Date,
            _ => PlainKind.None,
        };
        return new ColumnStep(column, property, kind, date);
    }

    /// <summary>
    /// Reads the commonest shapes of a typed column's text (a whole number, a plain decimal, a date in the column's
    /// compiled fast format) straight into <paramref name="value"/>; returns <see langword="false"/>, leaving
    /// <paramref name="value"/> as it was, for anything else, which <see cref="ConvertText"/> then reads in full.
    /// </summary>
    /// <remarks>
    /// Each shortcut is the first parser <see cref="ConvertText"/> would try on the same text, and none accepts white
    /// space, so text it accepts is already trimmed and gets the value the general path gives: only the time changes.
    /// Inlined into the per-row loop, it saves the general path's trimming, its dispatch on the property type and two
    /// calls, one of them into <see cref="ConvertTyped"/>, whose large frame (its error messages) is zeroed per call:
    /// about 10% of a one-thread CSV import of numbers and dates. Strings keep <see cref="ConvertText"/>, whose small
    /// string path already inlines into the loop; routed through here, the string pool's hash and compare stopped being
    /// inlined and the import got slower.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryConvertPlain(ReadOnlySpan<char> text, in ColumnStep step, ref FieldValue value)
    {
        switch (step.Kind)
        {
            case PlainKind.Int:
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, _culture, out var i) || i is < int.MinValue or > int.MaxValue)
                {
                    return false;
                }

                value.Integer = i;
                break;
            case PlainKind.Long:
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, _culture, out var l))
                {
                    return false;
                }

                value.Integer = l;
                break;
            case PlainKind.Decimal:
                if (!FastParse.TryParsePlainDecimal(text, _fastDecimalSeparator, out var d))
                {
                    return false;
                }

                value.Decimal = d;
                break;
            case PlainKind.Date:
                if (!step.Date!.TryParse(text, out var date))
                {
                    return false;
                }

                value.Date = DateOnly.FromDateTime(date);
                break;
            default:
                return false;
        }

        value.HasValue = true;
        return true;
    }

    /// <summary>Converts text; returns <see langword="null"/> on success or the reason it failed.</summary>
    public string? ConvertText(ReadOnlySpan<char> raw, EntityProperty property, ref FieldValue value)
    {
        var text = raw.Trim();
        value.HasValue = false;
        if (text.IsEmpty)
        {
            return null;
        }

        // Strings are most columns of most files: their path stays small, and the parsers live in ConvertTyped, whose
        // larger stack frame (zeroed on every call) only typed columns pay for.
        return property.Type == PropertyType.String ? SetString(text, property, ref value) : ConvertTyped(text, property, ref value);
    }

    private string? ConvertTyped(ReadOnlySpan<char> text, EntityProperty property, ref FieldValue value)
    {
        switch (property.Type)
        {
            case PropertyType.Enum:
                return SetAllowed(text, property, ref value);
            case PropertyType.Int:
                if (TryParseInteger(text, out var i) && i is >= int.MinValue and <= int.MaxValue)
                {
                    value.Integer = i;
                    break;
                }

                return $"'{Show(text)}' is not a whole number between {int.MinValue} and {int.MaxValue}{LocaleHint()}";
            case PropertyType.Long:
                if (TryParseInteger(text, out var l))
                {
                    value.Integer = l;
                    break;
                }

                return $"'{Show(text)}' is not a whole number{LocaleHint()}";
            case PropertyType.Decimal:
                if (TryParseDecimal(text, out var d))
                {
                    value.Decimal = d;
                    break;
                }

                return $"'{Show(text)}' is not a number (expected e.g. {1234.56m.ToString("0.00", _culture)}{LocaleHint(inParens: false)})";
            case PropertyType.Double:
                if (TryParseDouble(text, out var dbl))
                {
                    value.Double = dbl;
                    break;
                }

                return $"'{Show(text)}' is not a number (expected e.g. {1234.56.ToString("0.00", _culture)}{LocaleHint(inParens: false)})";
            case PropertyType.Bool:
                if (TryParseBool(text, out var b))
                {
                    value.Integer = b ? 1 : 0;
                    break;
                }

                return $"'{Show(text)}' is not a yes/no value (expected true/false, yes/no, y/n or 1/0)";
            case PropertyType.Date:
                if (TryParseDate(text, property, out var date))
                {
                    value.Date = date;
                    break;
                }

                return $"'{Show(text)}' is not a date (expected e.g. 2024-03-31 or {new DateTime(2024, 3, 31).ToString(_culture.DateTimeFormat.ShortDatePattern, _culture)}{LocaleHint(inParens: false)})";
            case PropertyType.DateTime:
                if (TryParseDateTime(text, property, out var dto))
                {
                    value.DateTime = dto;
                    break;
                }

                return $"'{Show(text)}' is not a date and time (expected e.g. 2024-03-31T14:30:00 or {new DateTime(2024, 3, 31, 14, 30, 0).ToString("g", _culture)}{LocaleHint(inParens: false)})";
            case PropertyType.Time:
                if (TryParseTime(text, property, out var time))
                {
                    value.Time = time;
                    break;
                }

                return $"'{Show(text)}' is not a time of day (expected e.g. 14:30 or 14:30:00)";
            case PropertyType.Guid:
                if (Guid.TryParse(text, out var guid))
                {
                    value.Guid = guid;
                    break;
                }

                return $"'{Show(text)}' is not a GUID (expected e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301)";
            default:
                return $"unsupported property type {property.Type}";
        }

        value.HasValue = true;
        return null;
    }

    /// <summary>Converts a number read from a spreadsheet cell (culture-free).</summary>
    public string? ConvertNumber(double number, EntityProperty property, ref FieldValue value)
    {
        value.HasValue = false;
        switch (property.Type)
        {
            case PropertyType.String or PropertyType.Enum:
                return ConvertText(number.ToString(CultureInfo.InvariantCulture), property, ref value);
            case PropertyType.Int:
                if (double.IsInteger(number) && number is >= int.MinValue and <= int.MaxValue)
                {
                    value.Integer = (long)number;
                    break;
                }

                return $"{number.ToString(CultureInfo.InvariantCulture)} is not a whole number between {int.MinValue} and {int.MaxValue}";
            case PropertyType.Long:
                if (double.IsInteger(number) && number is >= -9.2e18 and <= 9.2e18)
                {
                    value.Integer = (long)number;
                    break;
                }

                return $"{number.ToString(CultureInfo.InvariantCulture)} is not a whole number";
            case PropertyType.Decimal:
                if (!double.IsFinite(number) || Math.Abs(number) > 7.9e28)
                {
                    return $"{number.ToString(CultureInfo.InvariantCulture)} is out of range for a decimal";
                }

                // Excel keeps 15 significant digits; Convert.ToDecimal rounds to the same, so 0.1+0.2 reads as 0.3.
                value.Decimal = Convert.ToDecimal(number);
                break;
            case PropertyType.Double:
                value.Double = number;
                break;
            case PropertyType.Bool:
                if (number is 0 or 1)
                {
                    value.Integer = (long)number;
                    break;
                }

                return $"{number.ToString(CultureInfo.InvariantCulture)} is not a yes/no value (expected 1 or 0)";
            case PropertyType.Date or PropertyType.DateTime or PropertyType.Time:
                if (number is < -657434 or > 2958465)
                {
                    return $"{number.ToString(CultureInfo.InvariantCulture)} is not a spreadsheet date serial";
                }

                return ConvertDateTime(DateTime.FromOADate(number), property, ref value);
            default:
                return $"{number.ToString(CultureInfo.InvariantCulture)} cannot be converted to {TypeName(property.Type)}";
        }

        value.HasValue = true;
        return null;
    }

    /// <summary>
    /// Converts an elapsed-time cell of a spreadsheet (<c>[h]:mm:ss</c>): a text property gets the text shown
    /// (<c>36:00:00</c>), a number property the length in days (<c>1.5</c>; whole days for whole-number properties), a
    /// time property the time of day it ends at (<c>12:00</c>); a date is an error, since a length is not a point in time.
    /// </summary>
    public string? ConvertDuration(double days, ReadOnlySpan<char> shown, EntityProperty property, ref FieldValue value)
    {
        value.HasValue = false;
        return property.Type switch
        {
            PropertyType.String or PropertyType.Enum => ConvertText(shown, property, ref value),
            PropertyType.Date or PropertyType.DateTime => $"{Show(shown)} is a length of time; expected {TypeName(property.Type)}",
            _ => ConvertNumber(days, property, ref value),
        };
    }

    /// <summary>Converts a date cell of a spreadsheet: local time at the request's offset.</summary>
    public string? ConvertDateTime(DateTime local, EntityProperty property, ref FieldValue value)
    {
        value.HasValue = false;
        switch (property.Type)
        {
            case PropertyType.Date:
                if (local.TimeOfDay != TimeSpan.Zero)
                {
                    return $"{FormatLocal(local)} has a time of day; expected a date only";
                }

                value.Date = DateOnly.FromDateTime(local);
                break;
            case PropertyType.DateTime:
                value.DateTime = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _offset).ToUniversalTime();
                break;
            case PropertyType.Time:
                value.Time = TimeOnly.FromTimeSpan(local.TimeOfDay);
                break;
            case PropertyType.String or PropertyType.Enum:
                return ConvertText(FormatLocal(local), property, ref value);
            default:
                return $"{FormatLocal(local)} is a date; expected {TypeName(property.Type)}";
        }

        value.HasValue = true;
        return null;
    }

    /// <summary>Converts a boolean cell of a spreadsheet.</summary>
    public string? ConvertBoolean(bool flag, EntityProperty property, ref FieldValue value)
    {
        value.HasValue = false;
        switch (property.Type)
        {
            case PropertyType.Bool:
                value.Integer = flag ? 1 : 0;
                value.HasValue = true;
                return null;
            case PropertyType.String or PropertyType.Enum:
                return ConvertText(flag ? "TRUE" : "FALSE", property, ref value);
            case PropertyType.Int or PropertyType.Long:
                value.Integer = flag ? 1 : 0;
                value.HasValue = true;
                return null;
            default:
                return $"{(flag ? "TRUE" : "FALSE")} is a yes/no value; expected {TypeName(property.Type)}";
        }
    }

    internal static string FormatLocal(DateTime local) =>
        local.TimeOfDay == TimeSpan.Zero
            ? local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : local.ToString(local.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);

    internal static string TypeName(PropertyType type) => type switch
    {
        PropertyType.String => "text",
        PropertyType.Int or PropertyType.Long => "a whole number",
        PropertyType.Decimal or PropertyType.Double => "a number",
        PropertyType.Bool => "a yes/no value",
        PropertyType.Date => "a date",
        PropertyType.DateTime => "a date and time",
        PropertyType.Time => "a time of day",
        PropertyType.Guid => "a GUID",
        PropertyType.Enum => "one of the allowed values",
        _ => type.ToString(),
    };

    internal static string Show(ReadOnlySpan<char> text) =>
        text.Length <= 60 ? text.ToString() : string.Concat(text[..57], "...");

    private string LocaleHint(bool inParens = true)
    {
        if (_culture.Name.Length == 0)
        {
            return string.Empty;
        }

        return inParens ? $" (locale {_culture.Name})" : $"; locale {_culture.Name}";
    }

    private string? SetString(ReadOnlySpan<char> text, EntityProperty property, ref FieldValue value)
    {
        // Length and allowed values are the validation stage's (RowValidator); a listed value is spelt as listed there.
        value.Text = _strings.GetOrAdd(text, property.Ordinal);
        value.HasValue = true;
        return null;
    }

    private static string? SetAllowed(ReadOnlySpan<char> text, EntityProperty property, ref FieldValue value)
    {
        foreach (var allowed in property.AllowedValues)
        {
            if (text.Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                value.Text = allowed;
                value.HasValue = true;
                return null;
            }
        }

        return $"'{Show(text)}' is not one of the allowed values: {string.Join(", ", property.AllowedValues)}";
    }

    private bool TryParseInteger(ReadOnlySpan<char> text, out long result)
    {
        const NumberStyles Plain = NumberStyles.AllowLeadingSign;
        if (long.TryParse(text, Plain, _culture, out result))
        {
            return true;
        }

        if (TryParseDecimal(text, out var d) && decimal.Truncate(d) == d && d is >= long.MinValue and <= long.MaxValue)
        {
            result = (long)d;
            return true;
        }

        return false;
    }

    private bool TryParseDecimal(ReadOnlySpan<char> text, out decimal result)
    {
        if (_fastDecimalSeparator != '\0' && FastParse.TryParsePlainDecimal(text, _fastDecimalSeparator, out result))
        {
            return true;
        }

        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, _culture, out result))
        {
            return true;
        }

        Span<char> buffer = stackalloc char[Math.Min(text.Length, 128)];
        if (text.Length > 128)
        {
            result = 0;
            return false;
        }

        if (!NormaliseGroups(text, buffer, out var normalised))
        {
            // No group separators: still accept a currency symbol and accounting parentheses, e.g. "$12.50", "(12.50)".
            return !HasGroupSeparator(text)
                && decimal.TryParse(text, NumberStyles.Currency & ~NumberStyles.AllowThousands, _culture, out result);
        }

        return decimal.TryParse(normalised, NumberStyles.Currency, _culture, out result);
    }

    private bool TryParseDouble(ReadOnlySpan<char> text, out double result)
    {
        if (double.TryParse(text, NumberStyles.Float, _culture, out result))
        {
            return double.IsFinite(result);
        }

        if (!TryParseDecimal(text, out var exact))
        {
            return false;
        }

        result = (double)exact;
        return true;
    }

    private bool HasGroupSeparator(ReadOnlySpan<char> text) =>
        _groupSeparator.Length > 0 && (text.Contains(_groupSeparator.AsSpan(), StringComparison.Ordinal)
            || (_groupIsSpace && text.IndexOfAny(' ', '\u00A0', '\u202F') >= 0)
            || (_groupIsApostrophe && text.IndexOfAny('\'', '\u2019') >= 0));

    /// <summary>
    /// Checks that group separators sit every three digits in the integer part (a wrong locale otherwise
    /// turns 1234.5 into 12345 under de-DE) and maps spaces to the culture's space-like separator.
    /// </summary>
    private bool NormaliseGroups(ReadOnlySpan<char> text, Span<char> buffer, out ReadOnlySpan<char> normalised)
    {
        normalised = default;
        text.CopyTo(buffer);
        var span = buffer[..text.Length];
        if (_groupIsSpace || _groupIsApostrophe)
        {
            // People type a plain space or apostrophe where the culture's separator is a no-break space or a typographic one.
            for (var i = 0; i < span.Length; i++)
            {
                if ((_groupIsSpace && span[i] is ' ' or '\u00A0' or '\u202F') || (_groupIsApostrophe && span[i] is '\'' or '\u2019'))
                {
                    span[i] = _groupSeparator[0];
                }
            }
        }

        var decimalAt = span.IndexOf(_decimalSeparator.AsSpan());
        var integerPart = decimalAt >= 0 ? span[..decimalAt] : span;
        if (_groupSeparator.Length == 0 || integerPart.IndexOf(_groupSeparator.AsSpan()) < 0)
        {
            return false;
        }

        // Walk digits between separators: the first group 1-3 digits, every later group exactly 3.
        var groupLength = 0;
        var groups = 0;
        for (var i = 0; i < integerPart.Length; i++)
        {
            if (integerPart[i..].StartsWith(_groupSeparator.AsSpan()))
            {
                if ((groups == 0 && groupLength is < 1 or > 3) || (groups > 0 && groupLength != 3))
                {
                    return false;
                }

                groups++;
                groupLength = 0;
                i += _groupSeparator.Length - 1;
            }
            else if (char.IsAsciiDigit(integerPart[i]))
            {
                groupLength++;
            }
        }

        if (groupLength != 3)
        {
            return false;
        }

        if (decimalAt >= 0 && span[(decimalAt + _decimalSeparator.Length)..].IndexOf(_groupSeparator.AsSpan()) >= 0)
        {
            return false;
        }

        normalised = span;
        return true;
    }

    private static bool TryParseBool(ReadOnlySpan<char> text, out bool result)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || text.Equals("y", StringComparison.OrdinalIgnoreCase) || text.Equals("1", StringComparison.Ordinal))
        {
            result = true;
            return true;
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase)
            || text.Equals("n", StringComparison.OrdinalIgnoreCase) || text.Equals("0", StringComparison.Ordinal))
        {
            result = false;
            return true;
        }

        result = false;
        return false;
    }

    private bool TryParseDate(ReadOnlySpan<char> text, EntityProperty property, out DateOnly result)
    {
        const DateTimeStyles Styles = DateTimeStyles.AllowWhiteSpaces;
        if (FastDateFormat(property) is { } fast && fast.TryParse(text, out var quick))
        {
            result = DateOnly.FromDateTime(quick);
            return true;
        }

        if (property.FormatArray.Length > 0 && DateTime.TryParseExact(text, property.FormatArray, _culture, Styles, out var exact))
        {
            result = DateOnly.FromDateTime(exact);
            return true;
        }

        if (DateTime.TryParseExact(text, IsoDateFormats, CultureInfo.InvariantCulture, Styles, out var iso)
            || DateTime.TryParse(text, _culture, Styles | DateTimeStyles.RoundtripKind, out iso))
        {
            // A date property takes a date; a value with a time of day is refused rather than silently cut.
            if (iso.TimeOfDay == TimeSpan.Zero)
            {
                result = DateOnly.FromDateTime(iso);
                return true;
            }
        }

        result = default;
        return false;
    }

    /// <summary>
    /// The pattern tried first for a date property (its first format, else ISO <c>yyyy-MM-dd</c>), compiled for the
    /// fast path when simple; a fast-path miss falls through to the full parsing below, so only speed changes.
    /// </summary>
    private SimpleDateFormat? FastDateFormat(EntityProperty property)
    {
        var ordinal = property.Ordinal;
        if (ordinal < _fastDates.Length && ReferenceEquals(_fastDates[ordinal].Property, property))
        {
            return _fastDates[ordinal].Format;
        }

        var fast = property.FormatArray.Length > 0
            ? SimpleDateFormat.TryCompile(property.FormatArray[0], _culture)
            : SimpleDateFormat.TryCompile(IsoDateFormats[0], CultureInfo.InvariantCulture);
        if (ordinal >= _fastDates.Length)
        {
            Array.Resize(ref _fastDates, ordinal + 1);
        }

        _fastDates[ordinal] = (property, fast);
        return fast;
    }

    private bool TryParseDateTime(ReadOnlySpan<char> text, EntityProperty property, out DateTimeOffset result)
    {
        const DateTimeStyles Styles = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.RoundtripKind;
        DateTime parsed;
        var ok = (property.FormatArray.Length > 0 && DateTime.TryParseExact(text, property.FormatArray, _culture, Styles, out parsed))
            || DateTime.TryParseExact(text, IsoDateTimeFormats, CultureInfo.InvariantCulture, Styles, out parsed)
            || DateTime.TryParse(text, _culture, Styles, out parsed);
        if (!ok)
        {
            result = default;
            return false;
        }

        if (parsed.Kind == DateTimeKind.Unspecified)
        {
            result = new DateTimeOffset(parsed, _offset).ToUniversalTime();
            return true;
        }

        if (parsed.Kind == DateTimeKind.Utc)
        {
            result = new DateTimeOffset(parsed, TimeSpan.Zero);
            return true;
        }

        // An explicit offset in the text: keep it as written.
        if (DateTimeOffset.TryParse(text, _culture, DateTimeStyles.AllowWhiteSpaces, out result)
            || (property.FormatArray.Length > 0 && DateTimeOffset.TryParseExact(text, property.FormatArray, _culture, DateTimeStyles.AllowWhiteSpaces, out result))
            || DateTimeOffset.TryParseExact(text, IsoDateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out result))
        {
            return true;
        }

        result = new DateTimeOffset(parsed.ToUniversalTime(), TimeSpan.Zero);
        return true;
    }

    private bool TryParseTime(ReadOnlySpan<char> text, EntityProperty property, out TimeOnly result)
    {
        if (property.FormatArray.Length > 0 && TimeOnly.TryParseExact(text, property.FormatArray, _culture, DateTimeStyles.AllowWhiteSpaces, out result))
        {
            return true;
        }

        return TimeOnly.TryParseExact(text, IsoTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out result)
            || TimeOnly.TryParse(text, _culture, DateTimeStyles.AllowWhiteSpaces, out result);
    }
}
