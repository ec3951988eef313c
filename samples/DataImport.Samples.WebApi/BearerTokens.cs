using System.Security.Cryptography;
using System.Text;

namespace DataImport.Samples.WebApi;

/// <summary>
/// The sample's authentication: bearer tokens from configuration (<c>DataImport:Tokens:&lt;token&gt;</c> = the domains the
/// token may use, a list or a comma-separated string). In Development the token <c>dev-token</c> grants <c>demo</c> and <c>other</c>.
/// A real host would put its identity provider here; the rest of the sample only needs "who may act for which domain".
/// </summary>
internal sealed class BearerTokens
{
    public const string DevelopmentToken = "dev-token";

    private readonly Dictionary<string, HashSet<string>> _grants;

    public BearerTokens(IConfiguration configuration, IHostEnvironment environment)
    {
        _grants = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var token in configuration.GetSection(WebApiOptions.Section + ":Tokens").GetChildren())
        {
            var domains = token.Value is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : token.GetChildren().Select(c => c.Value).OfType<string>();
            _grants[token.Key] = new HashSet<string>(domains, StringComparer.Ordinal);
        }

        if (environment.IsDevelopment() && !_grants.ContainsKey(DevelopmentToken))
        {
            _grants[DevelopmentToken] = new HashSet<string>(["demo", "other"], StringComparer.Ordinal);
        }
    }

    /// <summary>Checks the bearer token and the <c>domain</c> header of a request.</summary>
    /// <returns>The caller's domain, or the error response to send: 401 without a known token, 400 without a domain, 403 for a domain the token does not grant.</returns>
    public (string? Domain, IResult? Failure) Authorize(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || Find(header[scheme.Length..].Trim()) is not { } granted)
        {
            return (null, Api.Fail(StatusCodes.Status401Unauthorized, "authorization", "A valid bearer token is required: send 'Authorization: Bearer <token>'."));
        }

        var domain = request.Headers["domain"].ToString().Trim();
        if (domain.Length == 0)
        {
            return (null, Api.Fail(StatusCodes.Status400BadRequest, "domain", "The 'domain' header is required: the domain the records belong to."));
        }

        return granted.Contains(domain)
            ? (domain, null)
            : (null, Api.Fail(StatusCodes.Status403Forbidden, "domain", $"The token does not grant access to the domain '{domain}'."));
    }

    private HashSet<string>? Find(string token)
    {
        // Compare in constant time so the response time tells nothing about how much of a token was right.
        var given = Encoding.UTF8.GetBytes(token);
        HashSet<string>? found = null;
        foreach (var (known, domains) in _grants)
        {
            if (CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(known)))
            {
                found = domains;
            }
        }

        return found;
    }
}
