using Microsoft.AspNetCore.Http;

namespace DataImport.AspNetCore;

/// <summary>The settings of the endpoints that <c>MapDataImport</c> serves; set them with <c>AddDataImportEndpoints(options => …)</c>.</summary>
public sealed class DataImportEndpointOptions
{
    /// <summary>Gets or sets the shape of error responses.</summary>
    /// <value>The default is <see cref="ImportErrorFormat.Envelope"/>, the seed's envelope.</value>
    public ImportErrorFormat ErrorFormat { get; set; } = ImportErrorFormat.Envelope;

    /// <summary>Gets or sets the request header that names the caller's domain (tenant), read by the default domain resolver.</summary>
    /// <value>The default is <c>domain</c>, as in the seed.</value>
    public string DomainHeader { get; set; } = "domain";

    /// <summary>
    /// Gets or sets the claim type whose values are the domains a user may act for; the default domain resolver grants a
    /// domain when the authenticated user has a claim of this type with exactly that value. Ignored when <see cref="AuthorizeDomain"/> is set.
    /// </summary>
    /// <value>The default is <c>domain</c>.</value>
    public string DomainClaimType { get; set; } = "domain";

    /// <summary>
    /// Gets or sets the check of the default domain resolver, instead of the claim: it is given the request and the domain
    /// of the header, and returns whether the caller may act for it (e.g. by looking the user's tenants up).
    /// </summary>
    /// <value>The default is <see langword="null"/>: the domain must be one of the user's <see cref="DomainClaimType"/> claims.</value>
    public Func<HttpContext, string, bool>? AuthorizeDomain { get; set; }

    /// <summary>Gets or sets how often the job's event stream (<c>GET {prefix}/job/{id}/events</c>) looks at the job for changes.</summary>
    /// <value>The default is 500 milliseconds.</value>
    public TimeSpan ProgressEventInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>The shape of the endpoints' error responses.</summary>
public enum ImportErrorFormat
{
    /// <summary>The seed's envelope, <c>{"status", "error": true, "message", "errors": [{"field", "message", "code"}], "data": null}</c>.</summary>
    Envelope,

    /// <summary>
    /// RFC 9457 problem details (<c>application/problem+json</c>: <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>), with
    /// the same <c>errors</c> entries as an extension. Written through the host's <c>IProblemDetailsService</c> when it has one.
    /// Successful responses keep the envelope (<c>data</c>, <c>pagination</c>).
    /// </summary>
    ProblemDetails,
}
