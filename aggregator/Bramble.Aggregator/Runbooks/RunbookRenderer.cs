using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Bramble.Aggregator.Runbooks;

/// <summary>
/// Renders the small Markdown subset the runbooks use into HTML: <c>#</c>–<c>###</c> headings, paragraphs, <c>- </c> lists
/// (indented lines continue an item), fenced code blocks and <c>`code`</c> spans. Everything else is text: every piece is
/// HTML-encoded, and no Markdown construct can produce a tag, attribute or link of the author's choosing.
/// </summary>
public static class RunbookRenderer
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string ToHtml(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var html = new StringBuilder(markdown.Length * 2);
        var paragraph = new List<string>();
        var item = new List<string>();
        var inList = false;
        var inCode = false;

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                html.Append("<p>").Append(Inline(string.Join(' ', paragraph))).Append("</p>\n");
                paragraph.Clear();
            }
        }

        void FlushItem()
        {
            if (item.Count > 0)
            {
                html.Append("<li>").Append(Inline(string.Join(' ', item))).Append("</li>\n");
                item.Clear();
            }
        }

        void CloseList()
        {
            FlushItem();
            if (inList)
            {
                html.Append("</ul>\n");
                inList = false;
            }
        }

        foreach (var raw in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                FlushParagraph();
                CloseList();
                html.Append(inCode ? "</code></pre>\n" : "<pre><code>");
                inCode = !inCode;
                continue;
            }

            if (inCode)
            {
                html.Append(Encoder.Encode(raw)).Append('\n');
                continue;
            }

            if (line.Length == 0)
            {
                FlushParagraph();
                CloseList();
                continue;
            }

            var level = Heading(line);
            if (level > 0)
            {
                FlushParagraph();
                CloseList();
                html.Append("<h").Append(level).Append('>').Append(Inline(line[(level + 1)..].Trim())).Append("</h").Append(level).Append(">\n");
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                FlushParagraph();
                FlushItem();
                if (!inList)
                {
                    html.Append("<ul>\n");
                    inList = true;
                }

                item.Add(line[2..].Trim());
            }
            else if (inList && line.StartsWith("  ", StringComparison.Ordinal))
            {
                item.Add(line.Trim());
            }
            else
            {
                CloseList();
                paragraph.Add(line.Trim());
            }
        }

        FlushParagraph();
        CloseList();
        if (inCode)
        {
            html.Append("</code></pre>\n");
        }

        return html.ToString();
    }

    private static int Heading(string line)
    {
        var level = 0;
        while (level < line.Length && level < 4 && line[level] == '#')
        {
            level++;
        }

        return level is >= 1 and <= 3 && line.Length > level && line[level] == ' ' ? level : 0;
    }

    /// <summary>Text with <c>`code`</c> spans; an unmatched backtick stays a backtick.</summary>
    private static string Inline(string text)
    {
        var parts = text.Split('`');
        var html = new StringBuilder(text.Length + 16);
        for (var i = 0; i < parts.Length; i++)
        {
            var isCode = i % 2 == 1 && i < parts.Length - 1;
            if (i % 2 == 1 && !isCode)
            {
                html.Append('`');
            }

            html.Append(isCode ? "<code>" : string.Empty).Append(Encoder.Encode(parts[i])).Append(isCode ? "</code>" : string.Empty);
        }

        return html.ToString();
    }
}
