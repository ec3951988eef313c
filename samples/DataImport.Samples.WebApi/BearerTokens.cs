using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DataImport.Samples.WebApi;

/// <summary>
/// The sample's token table: bearer tokens from configuration (<c>DataImport:Tokens:&lt;token&gt;</c> = the domains the
/// token may use, a list or a comma-separated string). In Development the token <c>dev-token</c> grants <c>demo</c> and <c>other</c>.
/// A real host would put its identity provider here; the import endpoints only need "who may act for which domain".
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

    /// <summary>Finds the domains a token grants.</summary>
    /// <returns>The domains, or <see langword="null"/> for an unknown token.</returns>
    public HashSet<string>? Find(string token)
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

/// <summary>
/// The sample's authentication scheme: <c>Authorization: Bearer &lt;token&gt;</c> looked up in <see cref="BearerTokens"/>; the
/// user it signs in has one <c>domain</c> claim per domain the token grants, which the import endpoints' default domain
/// resolver checks the <c>domain</c> header against. No token: no user (the group's <c>RequireAuthorization</c> answers 401);
/// an unknown token: a failed authentication (401 too).
/// </summary>
internal sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, BearerTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (tokens.Find(header[prefix.Length..].Trim()) is not { } domains)
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not known."));
        }

        var identity = new ClaimsIdentity(domains.Select(d => new Claim("domain", d)), SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
