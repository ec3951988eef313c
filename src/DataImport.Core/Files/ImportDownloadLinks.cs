using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace DataImport;

/// <summary>
/// Makes and checks the signed, expiring links to a job's not-imported file: an HMAC-SHA256 over the job id, the domain
/// and the expiry, in URL-safe base64. Resolve it from the container; the host's download endpoint calls <see cref="Validate"/>.
/// </summary>
public sealed class ImportDownloadLinks
{
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly ImportJobsOptions _options;

    internal ImportDownloadLinks(IOptions<ImportJobsOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _key = _options.DownloadLinkKey is { } key ? Encoding.UTF8.GetBytes(key) : RandomNumberGenerator.GetBytes(32);
    }

    /// <summary>Makes a relative link, e.g. <c>/api/v1/job/{id}/not-imported?domain=..&amp;expires=..&amp;sig=..</c>, valid for <see cref="ImportJobsOptions.DownloadLinkLifetime"/>.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="domain">The job's domain, or <see langword="null"/>.</param>
    /// <returns>The link.</returns>
    public string Create(string jobId, string? domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var expires = _time.GetUtcNow().Add(_options.DownloadLinkLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var path = _options.DownloadPath.Replace("{id}", Uri.EscapeDataString(jobId), StringComparison.Ordinal);
        var query = domain is null ? string.Empty : $"domain={Uri.EscapeDataString(domain)}&";
        return $"{path}?{query}expires={expires}&sig={Base64Url.EncodeToString(Sign(jobId, domain, expires))}";
    }

    /// <summary>Checks a link's parts in constant time: the signature must match the job, the domain and the expiry, and the expiry must not have passed.</summary>
    /// <param name="jobId">The job id from the path.</param>
    /// <param name="domain">The domain of the request (the <c>domain</c> header or query value), or <see langword="null"/>.</param>
    /// <param name="expires">The <c>expires</c> query value.</param>
    /// <param name="signature">The <c>sig</c> query value.</param>
    /// <returns><see langword="true"/> when the link is genuine and not expired.</returns>
    public bool Validate(string? jobId, string? domain, string? expires, string? signature)
    {
        if (string.IsNullOrEmpty(jobId) || string.IsNullOrEmpty(expires) || string.IsNullOrEmpty(signature)
            || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        // Compared as text, in the one form Create writes: decoding first would accept padding, whitespace and the
        // spare low bits of the last character, so many spellings of a link would all be genuine.
        var canonical = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Sign(jobId, domain, expires)));
        var genuine = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(signature), canonical);
        return genuine && _time.GetUtcNow().ToUnixTimeSeconds() <= seconds;
    }

    private byte[] Sign(string jobId, string? domain, string expires) =>
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{jobId}\n{(domain is null ? "-" : "+" + domain)}\n{expires}"));
}
