using System.Security.Cryptography;
using System.Text;

namespace Bramble.Aggregator.StatusPage;

/// <summary>
/// The status page's only style sheet and script, both inline (nothing is fetched from anywhere), and the
/// Content-Security-Policy that allows exactly these two by their SHA-256 hashes and nothing else.
/// </summary>
public static class StatusPageAssets
{
    public const string Style = """
        body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:1rem;color:#1d2327;background:#f6f7f7}
        h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
        .sum{color:#50575e;margin:0}
        ul.incidents{list-style:none;padding:0;margin:0}
        .inc{background:#fff;border-left:5px solid #8c8f94;padding:.5rem .7rem;margin:.4rem 0;border-radius:3px}
        .inc.critical{border-color:#d63638}.inc.warning{border-color:#dba617}.inc.info{border-color:#2271b1}
        .inc small{color:#50575e;display:block}
        .inc dl{margin:.3rem 0 0;display:grid;grid-template-columns:max-content 1fr;gap:0 .6rem;font-size:.85rem;color:#3c434a}
        .inc dt{font-weight:600}.inc dd{margin:0;overflow-wrap:anywhere}
        .badge{font-size:.75rem;text-transform:uppercase;letter-spacing:.03em;color:#50575e}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;background:#fff;min-width:100%}
        th,td{padding:.35rem .6rem;border-bottom:1px solid #dcdcde;text-align:left;white-space:nowrap}
        td.cell{text-align:center;font-weight:600;border-radius:3px}
        .ok{background:#d1e7d1;color:#0a4b0a}.warn{background:#fcefc7;color:#6b4d00}.bad{background:#f8d7d7;color:#8a1f1f}.none{background:#f0f0f1;color:#787c82}
        p.clear{background:#d1e7d1;color:#0a4b0a;padding:.5rem .7rem;border-radius:3px}
        .approval{margin:.4rem 0 0;display:flex;flex-wrap:wrap;gap:.4rem}
        button{font:inherit;padding:.3rem .9rem;border-radius:3px;border:1px solid #8c8f94;background:#fff;cursor:pointer}
        button.approve{background:#2271b1;border-color:#2271b1;color:#fff}
        label.token{display:block;margin:.3rem 0}label.token input{font:inherit;padding:.25rem .4rem;width:16rem;max-width:100%}
        p.answer{padding:.5rem .7rem;border-radius:3px;margin:.4rem 0;overflow-wrap:anywhere}
        footer{margin-top:1rem;color:#50575e}
        """;

    /// <summary>
    /// Approve and reject: the token lives in the field and in sessionStorage (this tab only), never in a URL or a cookie.
    /// The API's answer is kept in sessionStorage for a minute so it is still shown after the refresh that follows it.
    /// The page refreshes itself every 5 s, except while someone is in the approvals section (typing the token).
    /// </summary>
    public const string Script = """
        (() => {
          const tokenKey = 'bramble.approvalToken', answerKey = 'bramble.lastAnswer';
          const section = document.getElementById('approvals');
          const token = document.getElementById('token');
          const answer = document.getElementById('answer');
          const show = (text, ok) => { answer.textContent = text; answer.className = 'answer ' + (ok ? 'ok' : 'bad'); answer.hidden = false; };
          let busy = false;
          token.value = sessionStorage.getItem(tokenKey) || '';
          token.addEventListener('input', () => sessionStorage.setItem(tokenKey, token.value));
          try {
            const last = JSON.parse(sessionStorage.getItem(answerKey) || 'null');
            if (last && Date.now() - last.at < 60000) { show(last.text, last.ok); }
          } catch { sessionStorage.removeItem(answerKey); }
          for (const button of document.querySelectorAll('button[data-plan]')) {
            button.addEventListener('click', async () => {
              if (busy) { return; }
              busy = true;
              const plan = button.dataset.plan, decision = button.dataset.decision;
              let text, ok = false;
              try {
                const response = await fetch('/api/v1/remediations/' + encodeURIComponent(plan) + '/' + decision, {
                  method: 'POST', credentials: 'omit', cache: 'no-store', headers: { 'Authorization': 'Bearer ' + token.value } });
                const body = await response.json().catch(() => null);
                ok = response.ok;
                text = ok
                  ? (decision === 'approve' ? 'Approved ' : 'Rejected ') + plan + (body && body.status ? ' (now ' + body.status + ')' : '')
                  : response.status + ' ' + ((body && (body.title || '')) || response.statusText) + ((body && body.detail) ? ': ' + body.detail : '');
              } catch (e) {
                text = 'The request failed: ' + e;
              }
              sessionStorage.setItem(answerKey, JSON.stringify({ text, ok, at: Date.now() }));
              show(text, ok);
              setTimeout(() => location.reload(), 2000);
            });
          }
          setInterval(() => { if (!busy && !section.contains(document.activeElement)) { location.reload(); } }, 5000);
        })();
        """;

    /// <summary>No source at all by default; the inline style and script by hash; fetch only to this origin.</summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src '{Hash(Style)}'; script-src '{Hash(Script)}'; connect-src 'self'; img-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
