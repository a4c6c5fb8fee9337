using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.StatusPage;

/// <summary>
/// A headless Chromium driven through the DevTools protocol: JSON over one WebSocket (ClientWebSocket, no driver package).
/// Chromium picks its own debugging port (<c>--remote-debugging-port=0</c>) and writes it to
/// <c>&lt;user-data-dir&gt;/DevToolsActivePort</c>. Everything that would reach beyond loopback is switched off.
/// Dispose kills Chromium by its PID (with its own child processes) and deletes the profile directory.
/// </summary>
public sealed class DevToolsBrowser : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _profile;
    private readonly ManagedProcess _process;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private DevToolsBrowser(TempDirectory profile, ManagedProcess process)
    {
        _profile = profile;
        _process = process;
    }

    public int Pid => _process.Pid;

    public static async Task<DevToolsBrowser> StartAsync(string chromium, int width, int height)
    {
        var profile = new TempDirectory();
        var process = ManagedProcess.Start("chromium", chromium,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
            "--disable-features=Translate,MediaRouter,OptimizationHints", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", $"--user-data-dir={profile.Path}",
            $"--window-size={width.ToString(CultureInfo.InvariantCulture)},{height.ToString(CultureInfo.InvariantCulture)}", "about:blank",
        ]);
        var browser = new DevToolsBrowser(profile, process);
        try
        {
            var (port, path) = await ReadActivePortAsync(profile.Path, process);
            using var connect = new CancellationTokenSource(CallTimeout);
            await browser._socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}"), connect.Token);
            browser._receiving = browser.ReceiveAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens a new tab at <paramref name="url"/> and attaches to it (flat session).</summary>
    public async Task<DevToolsPage> OpenAsync(string url)
    {
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = url });
        var targetId = target.GetProperty("targetId").GetString()!;
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true });
        return new DevToolsPage(this, attached.GetProperty("sessionId").GetString()!);
    }

    /// <summary>One protocol call; a protocol error becomes a <see cref="DevToolsException"/>.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null, string? sessionId = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (sessionId is not null)
        {
            message["sessionId"] = sessionId;
        }

        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(CallTimeout);
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
            }
            finally
            {
                _sendLock.Release();
            }

            return await answer.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException e)
        {
            throw new DevToolsException($"{method}: no answer within {CallTimeout.TotalSeconds} s", e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }

        _socket.Dispose();
        // Kills Chromium by PID (and the renderer and zygote processes it started), then waits for it.
        _process.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
        // A renderer may take a moment to let go of the profile: retry the delete a few times.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _profile.Dispose();
                return;
            }
            catch (IOException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<(int Port, string Path)> ReadActivePortAsync(string profile, ManagedProcess process)
    {
        var file = Path.Combine(profile, "DevToolsActivePort");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"chromium exited {process.ExitCode} before it listened:\n{process.Output}");
            }

            if (File.Exists(file))
            {
                var lines = (await File.ReadAllTextAsync(file)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (lines.Length >= 2 && int.TryParse(lines[0], CultureInfo.InvariantCulture, out var port) && port > 0)
                {
                    return (port, lines[1]);
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"chromium wrote no {file} within 60 s:\n{process.Output}");
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            var chunk = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (chunk.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, chunk.Count);
            if (!chunk.EndOfMessage)
            {
                continue;
            }

            using (var json = JsonDocument.Parse(message.ToArray()))
            {
                var root = json.RootElement;
                // Events (no id) are not needed: every wait polls the page's state instead.
                if (root.TryGetProperty("id", out var idElement) && _pending.TryGetValue(idElement.GetInt32(), out var answer))
                {
                    if (root.TryGetProperty("error", out var error))
                    {
                        answer.TrySetException(new DevToolsException(error.GetRawText()));
                    }
                    else
                    {
                        answer.TrySetResult(root.GetProperty("result").Clone());
                    }
                }
            }

            message.SetLength(0);
        }

        foreach (var answer in _pending.Values)
        {
            answer.TrySetException(new DevToolsException("the DevTools connection closed"));
        }
    }
}
