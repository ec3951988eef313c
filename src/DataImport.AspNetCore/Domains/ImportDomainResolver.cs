using Microsoft.AspNetCore.Http;

namespace DataImport.AspNetCore;

/// <summary>
/// Finds the domain (tenant) a request acts for, and whether the caller may act for it; every endpoint but the signed
/// download asks it first. The default reads the <see cref="DataImportEndpointOptions.DomainHeader"/> header and checks it
/// against the user's <see cref="DataImportEndpointOptions.DomainClaimType"/> claims or <see cref="DataImportEndpointOptions.AuthorizeDomain"/>.
/// A host whose tenant comes from elsewhere (a claim alone, the host name, a route value) registers its own:
/// <c>services.AddSingleton&lt;ImportDomainResolver, MyResolver&gt;()</c> after <c>AddDataImportEndpoints()</c>.
/// </summary>
/// <remarks>Authentication runs before it: the user is the one the host's schemes established. New virtual members may be added in later versions with default implementations.</remarks>
public abstract class ImportDomainResolver
{
    /// <summary>Resolves the domain of a request.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The domain, or why the request may not go on (answered with its status and problem).</returns>
    public abstract ValueTask<ImportDomainResult> ResolveAsync(HttpContext context);
}

/// <summary>The outcome of <see cref="ImportDomainResolver.ResolveAsync"/>: a domain, or a refusal with its status code and problem.</summary>
public sealed class ImportDomainResult
{
    private ImportDomainResult(string? domain, int statusCode, ImportProblem? problem)
    {
        Domain = domain;
        StatusCode = statusCode;
        Problem = problem;
    }

    /// <summary>Gets the domain the request acts for; <see langword="null"/> when refused, or for a host without domains.</summary>
    public string? Domain { get; }

    /// <summary>Gets the status code of a refusal (e.g. 400 without a domain, 403 for a domain not granted), or 200.</summary>
    public int StatusCode { get; }

    /// <summary>Gets why the request is refused (its field, code and message), or <see langword="null"/> when it may go on.</summary>
    public ImportProblem? Problem { get; }

    /// <summary>Gets whether the request may go on.</summary>
    public bool Succeeded => Problem is null;

    /// <summary>The request acts for a domain.</summary>
    /// <param name="domain">The domain, or <see langword="null"/> for a host that does not separate tenants.</param>
    /// <returns>The result.</returns>
    public static ImportDomainResult Success(string? domain) => new(domain, StatusCodes.Status200OK, null);

    /// <summary>The request may not go on.</summary>
    /// <param name="statusCode">The status code to answer with (400 to 499).</param>
    /// <param name="problem">Why, for the client: its field (e.g. <c>domain</c>), code and message.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not a client error status.</exception>
    public static ImportDomainResult Fail(int statusCode, ImportProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 499);
        return new(null, statusCode, problem);
    }
}
