import { idRanges } from './narrative-data.ts';
import type { Claim, Narrative, Sentence } from './narrative.ts';

/**
 * The narrative as Markdown (claims as footnotes) and as a standalone HTML
 * page (claims as links to an evidence list). Every piece of run data (field
 * names, keys, the definition's name) is escaped for the target format, so a
 * crafted column name cannot inject markup or script.
 */

const MAX_RANGES = 100;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/**
 * Escapes text so Markdown shows it literally: no emphasis, code, links, HTML,
 * tables or footnote syntax inline; `lineStart` also stops a heading, list or
 * quote when the text opens a line.
 */
export function escapeMarkdown(s: string, lineStart = false): string {
  const t = s
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ');
  return lineStart ? t.replace(/^([#+\-=]|\d+(?=[.)]))/, (m) => `\\${m}`) : t;
}

function joinSentences(sentences: readonly Sentence[], render: (s: Sentence, first: boolean) => string): string {
  return sentences.map((s, i) => (i === 0 || s.tight ? '' : ' ') + render(s, i === 0)).join('');
}

/** "1–3, 7 … and 120 more": the claim's ids, at most MAX_RANGES ranges. */
export function idsText(c: Claim): string {
  const shown = idRanges(c.ids).slice(0, MAX_RANGES);
  const listed = shown.reduce((sum, r) => sum + r.to - r.from + 1, 0);
  const more = c.total - listed;
  const text = shown.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}–${r.to}`)).join(', ');
  return `${text}${more > 0 ? ` … and ${more.toLocaleString('en-US')} more` : ''}`;
}

/** Markdown with footnotes. */
export function renderNarrativeMarkdown(nv: Narrative): string {
  const out: string[] = [`# ${escapeMarkdown(nv.title)}`, ''];
  for (const p of nv.paragraphs) {
    out.push(`## ${escapeMarkdown(p.heading)}`, '');
    out.push(joinSentences(p.sentences, (s, first) => `${escapeMarkdown(s.text, first)}${s.claim ? `[^${s.claim}]` : ''}${escapeMarkdown(s.after ?? '')}`), '');
  }
  if (nv.claims.length > 0) {
    out.push('## Breaks behind each claim', '');
    for (const c of nv.claims) {
      out.push(`[^${c.id}]: ${escapeMarkdown(c.selector)}: ${c.total.toLocaleString('en-US')} break${c.total === 1 ? '' : 's'}${c.total > 0 ? `, ids ${escapeMarkdown(idsText(c))}` : ''}`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** A standalone HTML page: no scripts, no external resources, a CSP that forbids both. */
export function renderNarrativeHtml(nv: Narrative): string {
  const body: string[] = [`<h1>${escapeHtml(nv.title)}</h1>`];
  for (const p of nv.paragraphs) {
    body.push(`<h2>${escapeHtml(p.heading)}</h2>`);
    const text = joinSentences(p.sentences, (s) => `${escapeHtml(s.text)}${s.claim ? `<sup><a href="#claim-${s.claim}" id="ref-${s.claim}">[${s.claim}]</a></sup>` : ''}${escapeHtml(s.after ?? '')}`);
    body.push(`<p>${text}</p>`);
  }
  if (nv.claims.length > 0) {
    body.push('<h2>Breaks behind each claim</h2>', '<ol class="claims">');
    for (const c of nv.claims) {
      const ids = c.total > 0 ? `: <span class="ids">${escapeHtml(idsText(c))}</span>` : '';
      body.push(`<li id="claim-${c.id}"><a href="#ref-${c.id}">↑</a> ${escapeHtml(c.selector)} — ${c.total.toLocaleString('en-US')} break${c.total === 1 ? '' : 's'}${ids}</li>`);
    }
    body.push('</ol>');
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(nv.title)}</title>
<style>
body { font: 15px/1.55 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d2733; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; }
sup a { text-decoration: none; } .claims { font-size: 0.9rem; } .ids { font-family: ui-monospace, monospace; word-break: break-word; }
</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
