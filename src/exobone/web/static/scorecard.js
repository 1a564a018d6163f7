// Scorecard page: GET /api/scorecard (polls while the background run is going); client-side filters.
"use strict";
const sc = {rows: []};
const $ = id => document.getElementById(id);
const MARK = {true: `<span class="ok">✓</span>`, false: `<span class="bad">✗</span>`, null: `<span class="na">–</span>`};

function category(row) {
  const r = row.result;
  if (!r) return "pending";
  if (!r.representable || r.status !== "ok") return "unrepresentable";
  return r.outcomes.some(o => o.agree === false) ? "disagree" : "agree";
}

function text(row) {
  const r = row.result || {};
  return [row.id, row.title, row.citation, row.doi, row.contexts.join(" "), r.scenario, r.reason,
          ...(r.outcomes || []).map(o => `${o.measure} ${o.entity || ""}`)].join(" ").toLowerCase();
}

function render() {
  const q = $("q").value.trim().toLowerCase();
  const agree = $("agree").value, system = $("system").value;
  const rows = sc.rows.filter(r => (!q || text(r).includes(q)) && (!agree || category(r) === agree)
                                   && (!system || r.system === system));
  $("shown").textContent = `${rows.length} of ${sc.rows.length} experiments`;
  const html = [];
  for (const row of rows) {
    const r = row.result;
    const cite = `${exo.esc(row.citation)}${exo.citationLinks(row.doi, row.pmid)}`;
    const head = `<td><b>${exo.esc(row.id)}</b><br><span class="small">${exo.esc(row.title)}</span></td>
      <td class="small">${cite}</td><td class="small">${exo.esc(row.system.replace(/_/g, " "))}</td>`;
    if (!r) { html.push(`<tr data-id="${exo.esc(row.id)}">${head}<td colspan="5" class="muted">not scored yet</td></tr>`); continue; }
    const arms = `${exo.esc(r.scenario)} ${exo.esc(r.species)}<br><span class="small muted">treated: ${exo.esc(r.treated.join("; ") || "–")}<br>control: ${exo.esc(r.control.join("; ") || "–")}</span>`;
    if (!r.outcomes.length || !r.representable) {
      html.push(`<tr data-id="${exo.esc(row.id)}">${head}<td class="small">${arms}</td><td colspan="4" class="small na">${exo.esc(r.reason || r.status)}</td></tr>`);
      continue;
    }
    r.outcomes.forEach((o, i) => {
      const cells = `<td class="small">${exo.esc(o.measure)}${o.entity ? " (" + exo.esc(o.entity) + ")" : ""}
          ${o.note ? `<br><span class="muted">${exo.esc(o.note)}</span>` : ""}</td>
        <td>${exo.dir(o.expected)}</td><td>${o.predicted ? exo.dir(o.predicted) : "–"}
          ${o.relative_change !== null ? `<span class="small muted">(${(o.relative_change * 100).toFixed(1)} %)</span>` : ""}</td>
        <td>${MARK[o.agree]}</td>`;
      html.push(i === 0
        ? `<tr data-id="${exo.esc(row.id)}">${head.replace(/<td/g, `<td rowspan="${r.outcomes.length}"`)}<td rowspan="${r.outcomes.length}" class="small">${arms}</td>${cells}</tr>`
        : `<tr>${cells}</tr>`);
    });
  }
  document.querySelector("#score-table tbody").innerHTML = html.join("");
}

async function poll() {
  try {
    const res = await exo.json("/api/scorecard");
    sc.rows = res.experiments;
    const systems = [...new Set(sc.rows.map(r => r.system))];
    if ($("system").options.length === 1) {
      $("system").innerHTML += systems.map(s => `<option value="${exo.esc(s)}">${exo.esc(s.replace(/_/g, " "))}</option>`).join("");
    }
    $("status").textContent = res.status === "done" ? "" : res.status === "error"
      ? "" : "Scoring every experiment in the background… this page updates when it is done.";
    if (res.error) $("error").textContent = res.error;
    if (res.summary) {
      const s = res.summary;
      const v = s.in_vitro || {};
      const held = s.held_out_agreeing == null ? "" : `, ${s.held_out_agreeing} with the study held out`;
      const vheld = v.held_out_agreeing == null ? "" : `, ${v.held_out_agreeing} held out`;
      $("summary").innerHTML = `in vivo: <b>${s.outcomes_agreeing} of ${s.outcomes_compared}</b> distinct readouts agree
        (${(s.agreement * 100).toFixed(1)} %)${held} · in vitro: ${v.outcomes_agreeing} of ${v.outcomes_compared}${vheld}
        · ${s.representable} of ${s.total} experiments representable
        · ${s.failed} failed · no-change threshold ${(res.thresholds.no_change_relative * 100).toFixed(0)} %`;
    }
    render();
    document.body.dataset.status = res.status;
    if (res.status === "running" || res.status === "idle") setTimeout(poll, 3000);
  } catch (e) {
    $("error").textContent = e.message;
  }
}

for (const id of ["q", "agree", "system"]) $(id).addEventListener("input", render);
poll();
