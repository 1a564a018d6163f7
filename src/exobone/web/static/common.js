// Shared helpers of the exobone pages: the page header, JSON fetch with clear errors, escaping.
"use strict";
const exo = {
  esc(text) {
    return String(text ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
      '"': "&quot;", "'": "&#39;"}[c]));
  },
  async json(url, options) {
    const resp = await fetch(url, options);
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    if (!resp.ok) {
      const detail = body && body.detail ? body.detail : `${resp.status} ${resp.statusText}`;
      throw new Error(detail);
    }
    return body;
  },
  header(active) {
    const pages = [["/", "Atlas"], ["/run", "Scenario runner"], ["/scorecard", "Scorecard"], ["/api", "API"]];
    const nav = pages.map(([href, name]) =>
      `<a href="${href}" class="${href === active ? "active" : ""}">${name}</a>`).join("");
    const el = document.createElement("header");
    el.innerHTML = `<span class="brand">exobone</span><nav>${nav}</nav><span class="meta" id="meta"></span>`;
    document.body.prepend(el);
    exo.json("/api/atlas/summary").then(s => {
      document.getElementById("meta").textContent =
        `atlas ${s.version} · ${s.counts.mechanisms} mechanisms · ${s.counts.experiments} experiments`;
    }).catch(() => {});
  },
  dir(direction) { return `<span class="dir-${exo.esc(direction)}">${exo.esc(direction)}</span>`; },
  citationLinks(doi, pmid) {
    let out = "";
    if (doi) out += ` <a href="https://doi.org/${encodeURIComponent(doi).replace(/%2F/g, "/")}" target="_blank" rel="noopener">doi:${exo.esc(doi)}</a>`;
    if (pmid) out += ` <a href="https://pubmed.ncbi.nlm.nih.gov/${encodeURIComponent(pmid)}/" target="_blank" rel="noopener">PMID ${exo.esc(pmid)}</a>`;
    return out;
  },
};
