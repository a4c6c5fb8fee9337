using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// An HTTP receiver on a loopback port that keeps every POST (raw body and headers) in arrival order and answers 200.
/// Created before it starts, so a test can hand out its URL while nothing listens there yet (connection refused).
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private WebApplication? _app;

    public RecordingHttpServer(int? port = null)
    {
        Port = port ?? FreePort.Next();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Runs after a request is recorded and before it is answered: a test can hold the answer (a receiver that took it, but slowly).</summary>
    public Func<RecordedRequest, CancellationToken, Task>? BeforeAnswer { get; set; }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var request = new RecordedRequest(
                context.Request.Path.Value ?? "/",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                buffer.ToArray());
            _requests.Enqueue(request);
            if (BeforeAnswer is { } hold)
            {
                await hold(request, context.RequestAborted);
            }

            return Results.Ok();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

public sealed record RecordedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);
