using System.Globalization;
using System.Web;
using DataImport.Tests.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DataImport.Tests.Files;

public sealed class ImportDownloadLinksTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero));

    private ImportDownloadLinks Links(string key = JobTestHost.LinkKey)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddDataImport().AddBackgroundJobs(o => o.DownloadLinkKey = key);
        return services.BuildServiceProvider().GetRequiredService<ImportDownloadLinks>();
    }

    private static (string Id, string? Domain, string? Expires, string? Sig) Parse(string link)
    {
        var uri = new Uri("http://host" + link);
        var query = HttpUtility.ParseQueryString(uri.Query);
        return (Uri.UnescapeDataString(uri.Segments[4].TrimEnd('/')), query["domain"], query["expires"], query["sig"]);
    }

    [Fact]
    public void Validate_FreshLink_IsAccepted()
    {
        var links = Links();
        var link = links.Create("job-1", "acme");

        link.Should().StartWith("/api/v1/job/job-1/not-imported?domain=acme&expires=");
        var (id, domain, expires, sig) = Parse(link);
        links.Validate(id, domain, expires, sig).Should().BeTrue();
        sig.Should().NotContainAny("+", "/", "=");
    }

    [Fact]
    public void Validate_TamperedSignatureOrExpiry_IsRejected()
    {
        var links = Links();
        var (id, domain, expires, sig) = Parse(links.Create("job-1", "acme"));

        links.Validate(id, domain, expires, sig![..^2] + (sig[^2] == 'A' ? "BB" : "AA")).Should().BeFalse();
        links.Validate(id, domain, (long.Parse(expires!, CultureInfo.InvariantCulture) + 3600).ToString(CultureInfo.InvariantCulture), sig).Should().BeFalse();
        links.Validate("job-2", domain, expires, sig).Should().BeFalse();
        links.Validate(id, domain, expires, "not base64 !").Should().BeFalse();
        links.Validate(id, domain, expires, null).Should().BeFalse();
    }

    [Fact]
    public void Validate_SignatureSpelledAnotherWay_IsRejected()
    {
        var links = Links();
        var (id, domain, expires, sig) = Parse(links.Create("job-1", "acme"));
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        // The last of 43 characters carries 4 bits of the 32 bytes and 2 spare ones; a spare bit set decodes to the same bytes.
        var spareBitSet = sig![..^1] + alphabet[alphabet.IndexOf(sig[^1], StringComparison.Ordinal) ^ 1];
        foreach (var variant in new[] { sig + "=", sig + "==", " " + sig, sig + " ", sig + "\n", sig.ToUpperInvariant(), sig.ToLowerInvariant(), spareBitSet })
        {
            links.Validate(id, domain, expires, variant).Should().BeFalse(variant);
        }

        links.Validate(id, domain, expires, sig).Should().BeTrue();
    }

    [Fact]
    public void Validate_OtherDomain_IsRejected()
    {
        var links = Links();
        var (id, _, expires, sig) = Parse(links.Create("job-1", "acme"));

        links.Validate(id, "globex", expires, sig).Should().BeFalse();
        links.Validate(id, null, expires, sig).Should().BeFalse();
    }

    [Fact]
    public void Validate_After60Minutes_IsRejected()
    {
        var links = Links();
        var (id, domain, expires, sig) = Parse(links.Create("job-1", "acme"));

        _time.Advance(TimeSpan.FromMinutes(59));
        links.Validate(id, domain, expires, sig).Should().BeTrue();
        _time.Advance(TimeSpan.FromMinutes(2));
        links.Validate(id, domain, expires, sig).Should().BeFalse();
    }

    [Fact]
    public void Validate_LinkSignedWithAnotherKey_IsRejected()
    {
        var (id, domain, expires, sig) = Parse(Links("another key that is also long enough!!").Create("job-1", "acme"));

        Links().Validate(id, domain, expires, sig).Should().BeFalse();
    }
}
