using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;

namespace Bramble.Aggregator.Runbooks;

/// <summary>GET /runbooks (the list) and /runbooks/{name} (one runbook as HTML; an unknown name is a 404 problem).</summary>
public static class RunbookEndpoints
{
    private const string Style = "body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1d2327}"
        + "code{background:#f0f0f1;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}pre{background:#f0f0f1;padding:.6rem;overflow-x:auto}";

    private static readonly string Policy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapRunbooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/runbooks", (HttpContext context) =>
        {
            var list = new StringBuilder("<h1>Runbooks</h1>\n<ul>\n");
            foreach (var name in RunbookLibrary.Embedded.Names)
            {
                var encoded = HtmlEncoder.Default.Encode(name);
                list.Append("<li><a href=\"/runbooks/").Append(encoded).Append("\">").Append(encoded).Append("</a></li>\n");
            }

            return Page(context, "Runbooks", list.Append("</ul>\n").ToString());
        });
        endpoints.MapGet("/runbooks/{name}", (HttpContext context, string name) =>
            RunbookLibrary.Embedded.TryGet(name, out var markdown)
                ? Page(context, name, RunbookRenderer.ToHtml(markdown) + "<p><a href=\"/runbooks\">All runbooks</a> · <a href=\"/\">Status page</a></p>\n")
                : Results.Problem($"no runbook '{name}'", statusCode: StatusCodes.Status404NotFound));
        return endpoints;
    }

    private static IResult Page(HttpContext context, string title, string body)
    {
        context.Response.Headers.ContentSecurityPolicy = Policy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Content(
            $"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + $"<title>{HtmlEncoder.Default.Encode(title)} · Bramble</title><style>{Style}</style></head><body>\n{body}</body></html>\n",
            "text/html; charset=utf-8");
    }
}
