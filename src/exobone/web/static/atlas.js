// Atlas browser: facets -> /api/atlas/search and /api/atlas/network; Cytoscape.js view; evidence panel.
"use strict";
const FACETS = ["cargo", "source", "target", "pathway", "disease", "species", "setting", "direction", "text"];
const EXP_FACETS = ["cargo", "source", "target", "disease", "species", "setting", "direction", "text"];
const state = {mechanisms: [], byId: {}, cy: null, filters: {}};

function currentFilters() {
  const out = {};
  for (const name of FACETS) {
    const v = document.getElementById("f-" + name).value.trim();
    if (v) out[name] = v;
  }
  return out;
}

function query(params) {
  return new URLSearchParams(params).toString();
}

function setError(message) { document.getElementById("error").textContent = message || ""; }

async function loadFacets() {
  const f = await exo.json("/api/atlas/facets");
  for (const name of ["cargo", "source", "target", "pathway", "disease"]) {
    document.getElementById("dl-" + name).innerHTML =
      f[name].map(e => `<option value="${exo.esc(e.name)}"></option>`).join("");
  }
  for (const name of ["species", "setting", "direction"]) {
    const sel = document.getElementById("f-" + name);
    sel.innerHTML = `<option value="">any</option>` +
      f[name].map(v => `<option value="${exo.esc(v)}">${exo.esc(v.replace(/_/g, " "))}</option>`).join("");
  }
}

function updateDownloads() {
  for (const a of document.querySelectorAll("#downloads a")) {
    a.href = "/api/atlas/export?" + query({...state.filters, format: a.dataset.format});
  }
}

async function runSearch() {
  setError("");
  state.filters = currentFilters();
  history.replaceState(null, "", "?" + query(state.filters));
  updateDownloads();
  document.getElementById("search-btn").disabled = true;
  try {
    const [res, net] = await Promise.all([
      exo.json("/api/atlas/search?" + query(state.filters)),
      exo.json("/api/atlas/network?" + query(state.filters)),
    ]);
    state.mechanisms = res.mechanisms;
    state.byId = Object.fromEntries(res.mechanisms.map(m => [m.id, m]));
    document.getElementById("result-count").textContent =
      `${res.count} mechanism${res.count === 1 ? "" : "s"}`;
    renderTable();
    renderNetwork(net);
    loadExperiments();
  } catch (e) {
    setError(e.message);
  } finally {
    document.getElementById("search-btn").disabled = false;
  }
}

function renderTable() {
  const body = document.querySelector("#mech-table tbody");
  body.innerHTML = state.mechanisms.map(m => `<tr class="clickable" data-id="${exo.esc(m.id)}">
    <td>${exo.esc(m.id)}</td><td>${exo.esc(m.source_name)} <span class="muted">(${exo.esc(m.source_role)})</span></td><td>${exo.esc(m.cargo.join(", "))}</td>
    <td>${exo.esc(m.target_name)}</td><td>${exo.esc(m.effect_name)}</td><td>${exo.dir(m.direction)}</td>
    <td>${m.evidence.length}</td></tr>`).join("");
  for (const tr of body.querySelectorAll("tr")) {
    tr.addEventListener("click", () => {
      const m = state.byId[tr.dataset.id];
      showMechanisms([m], `${m.id}: ${m.source_name} → ${m.target_name}`);
    });
  }
}

const NODE_COLORS = {cell: "#4c78a8", cell_line: "#4c78a8", tissue: "#72b7b2", mirna: "#f58518",
  gene: "#54a24b", family: "#54a24b", pathway: "#b279a2", process: "#9d755d", context: "#bab0ac",
  disease: "#bab0ac", chemical: "#e45756", vesicle: "#eeca3b"};

// the server lays the network out (exobone/atlas/network_layout.py, the same layout as
// `exobone atlas network --plot`): one circle in sectors by kind, labels pointing outwards, edges
// bundled through each sector's hub (Cytoscape segments); only the drawing happens here
const CHAR_PX = 5.8;  // mean width of a character of the 10 px label font

function labelOffset(ele, axis) {
  const r = 5 + 5 + ele.data("label").length * CHAR_PX / 2;  // node radius, gap, half the label
  const a = ele.data("angle");
  return r * (axis === "x" ? Math.cos(a) : Math.sin(a));
}

function renderNetwork(net) {
  const elements = [...net.nodes, ...net.edges];
  if (state.cy) state.cy.destroy();
  state.cy = cytoscape({
    container: document.getElementById("cy"),
    elements,
    style: [
      {selector: "node", style: {"label": "data(label)", "font-size": 10, "width": 10, "height": 10,
        "background-color": ele => NODE_COLORS[ele.data("type")] || "#888",
        "text-halign": "center", "text-valign": "center",
        "text-rotation": ele => ele.data("label_rotation"),
        "text-margin-x": ele => labelOffset(ele, "x"), "text-margin-y": ele => labelOffset(ele, "y"),
        "min-zoomed-font-size": 6}},  // labels too small to read hide until zoomed in
      {selector: "node[type = 'mirna']", style: {"shape": "diamond"}},
      {selector: "node[type = 'gene'], node[type = 'family']", style: {"shape": "round-rectangle"}},
      {selector: "edge", style: {"width": 1.2, "opacity": 0.55, "curve-style": "segments",
        "edge-distances": "node-position",
        "segment-weights": ele => ele.data("segment_weights"),
        "segment-distances": ele => ele.data("segment_distances"),
        "line-color": "#8c959f", "target-arrow-color": "#8c959f", "target-arrow-shape": "none",
        "arrow-scale": 0.7}},
      // a mechanism acting on its own source cell: a small loop pointing to the centre
      {selector: "edge:loop", style: {"curve-style": "bezier", "control-point-step-size": 12,
        "loop-direction": ele => `${ele.source().data("angle") * 180 / Math.PI - 90}deg`,
        "loop-sweep": "-30deg"}},
      {selector: "edge[sign > 0]", style: {"line-color": "#1a7f37", "target-arrow-color": "#1a7f37",
        "target-arrow-shape": "triangle"}},
      {selector: "edge[sign < 0]", style: {"line-color": "#cf222e", "target-arrow-color": "#cf222e",
        "target-arrow-shape": "tee"}},
      {selector: "edge[sign = 0]", style: {"line-style": "dashed"}},
      {selector: ":selected", style: {"border-width": 3, "border-color": "#111", "line-color": "#111",
        "target-arrow-color": "#111", "opacity": 1}},
      // focus mode: a tapped node keeps its neighbours; the rest fades back
      {selector: ".faded", style: {"opacity": 0.08, "text-opacity": 0}},
      {selector: ".focused", style: {"opacity": 1, "width": 2}},
    ],
    layout: {name: "preset", padding: 10},
  });
  if (state.cy.zoom() > 1.6) { state.cy.zoom(1.6); state.cy.center(); }
  renderKinds(net);
  state.cy.on("tap", "node", evt => { focus(evt.target); showNode(evt.target.id()); });
  state.cy.on("tap", "edge", evt => showEdge(evt.target.data()));
  state.cy.on("tap", evt => { if (evt.target === state.cy) state.cy.elements().removeClass("faded focused"); });
}

// kind filter: one checkbox per sector of the circle; hiding a sector hides its edges too
function renderKinds(net) {
  const sectors = new Map();
  for (const n of net.nodes) {
    const s = sectors.get(n.data.sector) || {name: n.data.sector_name, type: n.data.type, count: 0};
    s.count += 1;
    sectors.set(n.data.sector, s);
  }
  const box = document.getElementById("kinds");
  box.innerHTML = [...sectors].map(([key, s]) =>
    `<label class="kind"><input type="checkbox" data-sector="${exo.esc(key)}" checked>
     <span class="swatch" style="background:${NODE_COLORS[s.type] || "#888"}"></span>${exo.esc(s.name)} (${s.count})</label>`).join("");
  for (const input of box.querySelectorAll("input")) {
    input.addEventListener("change", () => {
      state.cy.nodes(`[sector = "${input.dataset.sector}"]`).style("display", input.checked ? "element" : "none");
    });
  }
}

function focus(node) {
  const keep = node.closedNeighborhood();
  state.cy.elements().removeClass("focused").addClass("faded");
  keep.removeClass("faded");
  keep.edges().addClass("focused");
}

function showNode(id) {
  const node = state.cy.getElementById(id);
  const label = node.length ? node.data("full_name") || node.data("label") : id;
  const touches = m => m.source === id || m.target === id || m.cargo.includes(id) ||
    m.molecular_targets.some(t => t.entity === id);
  const mechs = state.mechanisms.filter(touches);
  const curie = node.length && node.data("represents") ? ` <span class="tag">${exo.esc(node.data("represents"))}</span>` : "";
  showMechanisms(mechs, `${label}`, curie);
}

function showEdge(data) {
  const mechs = data.mechanisms.map(id => state.byId[id]).filter(Boolean);
  showMechanisms(mechs, `${data.source} — ${data.interaction.replace(/_/g, " ")} → ${data.target}`);
}

function evidenceHtml(ev) {
  const lang = ev.language && ev.language !== "en" ? ` <span class="tag">${exo.esc(ev.language)}</span>` : "";
  return `<div class="evidence${ev.matched ? "" : " unmatched"}">
    <div class="quote" lang="${exo.esc(ev.language || "")}">“${exo.esc(ev.quote)}”${lang}</div>
    ${ev.quote !== ev.quote_en ? `<div class="quote-en">${exo.esc(ev.quote_en)}</div>` : ""}
    <div class="small"><b>${exo.esc(ev.citation)}</b>${exo.citationLinks(ev.doi, ev.pmid)}</div>
    <div class="small">
      ${ev.species.map(s => `<span class="tag">${exo.esc(s)}</span>`).join("")}
      <span class="tag">${exo.esc(ev.setting.replace(/_/g, " "))}</span>
      ${ev.matched ? "" : `<span class="tag unmatched">outside the species/setting filter</span>`}
    </div>
    ${ev.methods.length ? `<div class="small muted">methods: ${exo.esc(ev.methods.join("; "))}</div>` : ""}
    <div class="small muted">source document: ${exo.esc(ev.source_document)} (<code>${exo.esc(ev.read_in)}</code>)</div>
    ${ev.conflict ? `<div class="small bad">conflict: ${exo.esc(ev.conflict)}</div>` : ""}
  </div>`;
}

function showMechanisms(mechs, title, extra = "") {
  const panel = document.getElementById("evidence");
  if (!mechs.length) {
    panel.innerHTML = `<h3>${exo.esc(title)}${extra}</h3><p class="muted">No mechanism of the selection.</p>`;
    return;
  }
  panel.innerHTML = `<h3>${exo.esc(title)}${extra}</h3>` + mechs.map(m => `
    <div class="mechanism" data-id="${exo.esc(m.id)}">
      <div class="mech-head">${exo.esc(m.id)} · ${exo.esc(m.source_name)} <span class="muted">(${exo.esc(m.source_role)})</span>
        ${m.cargo.length ? `(${exo.esc(m.cargo.join(", "))})` : ""} → ${exo.esc(m.target_name)}:
        ${exo.dir(m.direction)} ${exo.esc(m.effect_name)}</div>
      <div class="small muted">${m.pathways.length ? "pathways: " + exo.esc(m.pathways.join(", ")) + " · " : ""}
        ${m.contexts.length ? "contexts: " + exo.esc(m.contexts.join(", ")) : ""}</div>
      ${m.evidence.map(evidenceHtml).join("")}
    </div>`).join("");
}

async function loadExperiments() {
  const params = {};
  for (const k of EXP_FACETS) if (state.filters[k]) params[k] = state.filters[k];
  const body = document.querySelector("#exp-table tbody");
  try {
    const res = await exo.json("/api/atlas/experiments?" + query(params));
    state.experiments = Object.fromEntries(res.experiments.map(x => [x.id, x]));
    body.innerHTML = res.experiments.map(x => `<tr class="clickable" data-id="${exo.esc(x.id)}">
      <td>${exo.esc(x.id)}</td><td>${exo.esc(x.title)}</td>
      <td>${x.outcomes.map(o => `${exo.esc(o.measure)}${o.entity ? " (" + exo.esc(o.entity) + ")" : ""} ${exo.dir(o.direction)}`).join("<br>")}</td>
      <td class="small">${exo.esc(x.citation)}</td></tr>`).join("");
    for (const tr of body.querySelectorAll("tr")) {
      tr.addEventListener("click", () => showExperiment(state.experiments[tr.dataset.id]));
    }
  } catch (e) {
    body.innerHTML = `<tr><td colspan="4" class="bad">${exo.esc(e.message)}</td></tr>`;
  }
}

function showExperiment(x) {
  document.getElementById("evidence").innerHTML = `<h3>${exo.esc(x.id)}: ${exo.esc(x.title)}</h3>
    <div class="small">intervention: ${exo.esc(x.intervention)} (${exo.esc(x.intervention_kind)}); control: ${exo.esc(x.control)}</div>
    <div class="small">contexts: ${exo.esc(x.contexts.join(", "))} · ${exo.esc(x.system.replace(/_/g, " "))}
      ${x.species.map(s => `<span class="tag">${exo.esc(s)}</span>`).join("")}</div>
    <div class="evidence"><div class="quote">“${exo.esc(x.quote)}”</div>
      ${x.quote !== x.quote_en ? `<div class="quote-en">${exo.esc(x.quote_en)}</div>` : ""}
      <div class="small"><b>${exo.esc(x.citation)}</b>${exo.citationLinks(x.doi, x.pmid)}</div>
      <div class="small muted">source document: <code>${exo.esc(x.read_in)}</code></div></div>
    <div class="small">mechanisms: ${exo.esc(x.mechanisms.join(", ") || "none")}</div>`;
}

function setupTabs() {
  for (const btn of document.querySelectorAll(".tabs button")) {
    btn.addEventListener("click", () => {
      for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b === btn);
      for (const pane of document.querySelectorAll("[data-pane]")) pane.hidden = pane.dataset.pane !== btn.dataset.tab;
      if (btn.dataset.tab === "network" && state.cy) { state.cy.resize(); state.cy.fit(undefined, 20); }
    });
  }
}

async function init() {
  setupTabs();
  document.getElementById("facets").addEventListener("submit", e => { e.preventDefault(); runSearch(); });
  document.getElementById("clear-btn").addEventListener("click", () => {
    for (const name of FACETS) document.getElementById("f-" + name).value = "";
    runSearch();
  });
  try { await loadFacets(); } catch (e) { setError(e.message); }
  const params = new URLSearchParams(location.search);
  for (const name of FACETS) if (params.get(name)) document.getElementById("f-" + name).value = params.get(name);
  await runSearch();
  document.body.dataset.ready = "1";
}

window.exoboneAtlas = {state, showNode, showEdge, runSearch};
init();
