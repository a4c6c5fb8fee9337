using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bramble.IntegrationTests.StatusPage;

/// <summary>One tab of a <see cref="DevToolsBrowser"/>: evaluate script, type and click as a user does (input events), screenshot.</summary>
public sealed class DevToolsPage(DevToolsBrowser browser, string sessionId)
{
    /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value (promises awaited); a thrown error is a <see cref="DevToolsException"/>.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await Send("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result.TryGetProperty("exceptionDetails", out var thrown))
        {
            throw new DevToolsException($"{expression}: {thrown.GetRawText()}");
        }

        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> (a JavaScript expression) until it is true; errors while the page reloads
    /// (its execution context destroyed) count as "not yet". Bounded in time and in count.
    /// </summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        string last = "never evaluated";
        for (var attempt = 0; attempt < 5_000 && clock.Elapsed < timeout; attempt++)
        {
            try
            {
                var value = await EvaluateAsync($"!!({condition})");
                if (value.ValueKind == JsonValueKind.True)
                {
                    return;
                }

                last = "false";
            }
            catch (DevToolsException e)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{what} did not happen within {timeout.TotalSeconds} s ({condition}); last: {last}");
    }

    /// <summary>Focuses the element, selects what it holds and types <paramref name="text"/> over it (real input events).</summary>
    public async Task TypeAsync(string selector, string text)
    {
        await EvaluateAsync($"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); e.focus(); e.select(); return true; }})()");
        await Send("Input.insertText", new JsonObject { ["text"] = text });
    }

    /// <summary>A left click in the middle of the element, as mouse press and release events at its coordinates.</summary>
    public async Task ClickAsync(string selector)
    {
        var point = await EvaluateAsync(
            $"(() => {{ const e = document.querySelector({JsonSerializer.Serialize(selector)}); e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()");
        var x = point[0].GetDouble();
        var y = point[1].GetDouble();
        foreach (var type in new[] { "mouseMoved", "mousePressed", "mouseReleased" })
        {
            await Send("Input.dispatchMouseEvent", new JsonObject { ["type"] = type, ["x"] = x, ["y"] = y, ["button"] = "left", ["clickCount"] = 1 });
        }
    }

    public async Task<string> TextAsync(string expression) => (await EvaluateAsync(expression)).GetString() ?? string.Empty;

    /// <summary>Saves a PNG of what the tab shows, the whole page beyond the window included.</summary>
    public async Task ScreenshotAsync(string path)
    {
        var shot = await Send("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.GetProperty("data").GetString()!));
    }

    private Task<JsonElement> Send(string method, JsonObject parameters) => browser.SendAsync(method, parameters, sessionId);
}
