using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DataImport.Samples.EfCore;

/// <summary>
/// The sample's authentication, as small as it can honestly be: <c>Authorization: Bearer &lt;token&gt;</c> compared with the
/// one token of the configuration (<see cref="ShopSettings.ApiToken"/>). Its user holds one <c>domain</c> claim, the shop's
/// domain, which the import endpoints' default resolver checks the <c>domain</c> header against. A real app puts its own
/// scheme here (cookies, JWT bearer, …) and gives its users their <c>domain</c> claims.
/// </summary>
internal sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ShopSettings settings)
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

        // Constant time, so the response time tells nothing about how much of a token was right.
        var given = Encoding.UTF8.GetBytes(header[prefix.Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(settings.ApiToken ?? "")))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not known."));
        }

        var identity = new ClaimsIdentity([new Claim("domain", settings.Domain)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
