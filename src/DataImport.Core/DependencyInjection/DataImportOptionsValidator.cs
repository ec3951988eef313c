using Microsoft.Extensions.Options;

namespace DataImport.DependencyInjection;

internal sealed class DataImportOptionsValidator : IValidateOptions<DataImportOptions>
{
    public ValidateOptionsResult Validate(string? name, DataImportOptions options)
    {
        var problems = new List<string>();
        if (options.BatchSize is < 1 or > 100_000)
        {
            problems.Add($"DataImportOptions.BatchSize is {options.BatchSize}; use 1 to 100000.");
        }

        if (options.MaxDegreeOfParallelism is < 1 or > 1024)
        {
            problems.Add($"DataImportOptions.MaxDegreeOfParallelism is {options.MaxDegreeOfParallelism}; use 1 to 1024.");
        }

        if (options.MaxReportedErrors < 0)
        {
            problems.Add($"DataImportOptions.MaxReportedErrors is {options.MaxReportedErrors}; it must not be negative.");
        }

        if (options.ProgressInterval < TimeSpan.Zero)
        {
            problems.Add("DataImportOptions.ProgressInterval must not be negative.");
        }

        if (options.MaxColumns < 1)
        {
            problems.Add($"DataImportOptions.MaxColumns is {options.MaxColumns}; it must be positive.");
        }

        if (options.MaxFieldLength < 1024)
        {
            problems.Add($"DataImportOptions.MaxFieldLength is {options.MaxFieldLength}; use at least 1024.");
        }

        if (options.MaxRows is < 1)
        {
            problems.Add($"DataImportOptions.MaxRows is {options.MaxRows}; it must be positive or null.");
        }

        if (options.MaxFileBytes < 1)
        {
            problems.Add("DataImportOptions.MaxFileBytes must be positive.");
        }

        if (options.MaxUncompressedBytes < 1)
        {
            problems.Add("DataImportOptions.MaxUncompressedBytes must be positive.");
        }

        if (options.MaxCompressionRatio < 1)
        {
            problems.Add("DataImportOptions.MaxCompressionRatio must be positive.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
