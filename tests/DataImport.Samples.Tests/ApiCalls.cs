using System.Net.Http.Headers;
using System.Text.Json;

namespace DataImport.Samples.Tests;

/// <summary>
/// A call to a sample's REST API as its clients make it: the bearer token and the seed's <c>domain</c> header, and the
/// JSON body read back. Shared by the test hosts of the samples (linked into the EF Core sample's tests).
/// </summary>
internal static class ApiCalls
{
    public static HttpRequestMessage Request(HttpClient client, HttpMethod method, string path, string? domain, string? token)
    {
        var request = new HttpRequestMessage(method, new Uri(client.BaseAddress!, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (domain is not null)
        {
            request.Headers.Add("domain", domain);
        }

        return request;
    }

    /// <summary>Sends the request (and disposes it): the HTTP status, the body's text, and the body as JSON (<c>default</c> when empty).</summary>
    public static async Task<(int Status, string Text, JsonElement Body)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }
}
