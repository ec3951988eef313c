using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace DataImport.AspNetCore;

/// <summary>
/// The default domain resolver: the seed's <c>domain</c> header (<see cref="DataImportEndpointOptions.DomainHeader"/>), which
/// the user must hold as a <see cref="DataImportEndpointOptions.DomainClaimType"/> claim, or which
/// <see cref="DataImportEndpointOptions.AuthorizeDomain"/> grants. Without the header: 400; a user who is not signed in
/// (when the claim is checked): 401; a domain not granted: 403. Each names the field <c>domain</c>, or <c>authorization</c> for 401.
/// </summary>
internal sealed class HeaderImportDomainResolver(IOptions<DataImportEndpointOptions> options) : ImportDomainResolver
{
    private readonly DataImportEndpointOptions _options = options.Value;

    public override ValueTask<ImportDomainResult> ResolveAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = _options.DomainHeader;
        var domain = context.Request.Headers[header].ToString().Trim();
        if (domain.Length == 0)
        {
            return Fail(StatusCodes.Status400BadRequest, "domain", ImportProblemCodes.Required, $"The '{header}' header is required: the domain the records belong to.");
        }

        if (_options.AuthorizeDomain is { } authorize)
        {
            return authorize(context, domain)
                ? ValueTask.FromResult(ImportDomainResult.Success(domain))
                : Denied(domain);
        }

        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            // No user to hold the claim: the endpoints were mapped without RequireAuthorization and nobody signed in.
            return Fail(StatusCodes.Status401Unauthorized, "authorization", "unauthorized", "Authentication is required: the request has no valid credentials.");
        }

        return user.HasClaim(c => c.Type == _options.DomainClaimType && string.Equals(c.Value, domain, StringComparison.Ordinal))
            ? ValueTask.FromResult(ImportDomainResult.Success(domain))
            : Denied(domain);
    }

    private static ValueTask<ImportDomainResult> Denied(string domain) =>
        Fail(StatusCodes.Status403Forbidden, "domain", "forbidden_domain", $"You may not act for the domain '{domain}'.");

    private static ValueTask<ImportDomainResult> Fail(int status, string field, string code, string message) =>
        ValueTask.FromResult(ImportDomainResult.Fail(status, new ImportProblem { Field = field, Code = code, Message = message }));
}
