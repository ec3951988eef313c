using Microsoft.Extensions.Options;

namespace DataImport.AspNetCore;

/// <summary>Checks <see cref="DataImportEndpointOptions"/> when the host starts, reporting every problem at once.</summary>
internal sealed class DataImportEndpointOptionsValidator : IValidateOptions<DataImportEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, DataImportEndpointOptions options)
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(options.ErrorFormat))
        {
            problems.Add($"DataImportEndpointOptions.ErrorFormat is {(int)options.ErrorFormat}; use Envelope or ProblemDetails.");
        }

        if (string.IsNullOrWhiteSpace(options.DomainHeader))
        {
            problems.Add("DataImportEndpointOptions.DomainHeader is empty; name the request header of the domain, e.g. 'domain'.");
        }

        if (options.AuthorizeDomain is null && string.IsNullOrWhiteSpace(options.DomainClaimType))
        {
            problems.Add("DataImportEndpointOptions.DomainClaimType is empty and no AuthorizeDomain check is set; name the claim type of the user's domains, or set AuthorizeDomain.");
        }

        if (options.ProgressEventInterval <= TimeSpan.Zero || options.ProgressEventInterval > TimeSpan.FromMinutes(1))
        {
            problems.Add($"DataImportEndpointOptions.ProgressEventInterval is {options.ProgressEventInterval}; it must be more than zero and at most one minute.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
