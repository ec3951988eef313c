using System.Globalization;

namespace DataImport.HealthChecks;

/// <summary>A length of time as people read it in a health report: "45 seconds", "12 minutes", "3 hours".</summary>
internal static class Durations
{
    public static string Describe(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => "under a second",
        { TotalMinutes: < 2 } => Plural((int)duration.TotalSeconds, "second"),
        { TotalHours: < 2 } => Plural((int)duration.TotalMinutes, "minute"),
        { TotalDays: < 2 } => Plural((int)duration.TotalHours, "hour"),
        _ => Plural((int)duration.TotalDays, "day"),
    };

    private static string Plural(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");
}
