using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Bramble.Cli;

/// <summary>The aggregator's JSON API over HTTP: raw bodies for --json, typed rows for tables.</summary>
public sealed class BrambleApiClient(HttpClient http, Uri baseUrl)
{
    public Task<string> GetAsync(string path, CancellationToken cancel) => http.GetStringAsync(new Uri(baseUrl, path), cancel);

    public async Task<T> GetAsync<T>(string path, CancellationToken cancel) =>
        await http.GetFromJsonAsync<T>(new Uri(baseUrl, path), ApiJson.Options, cancel)
        ?? throw new HttpRequestException($"{path} answered null");

    /// <summary>POSTs with the bearer token; returns the status and body, whatever the status.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string? token, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, cancel);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancel));
    }
}
