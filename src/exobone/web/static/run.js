// Scenario runner: build interventions, POST /api/simulate, plot treated vs control with Plotly.
"use strict";
const run = {scenarios: {}, kinds: {}, interventions: [], result: null,
             shown: new Set(["bv_tv", "defect_fill", "osteoblasts", "osteoclasts", "bmsc", "ctx", "p1np"])};
const $ = id => document.getElementById(id);
const LABEL = {bv_tv: "BV/TV"};

function setError(msg) { $("error").textContent = msg || ""; }

async function init() {
  const [scenarios, kinds, sources] = await Promise.all([
    exo.json("/api/scenarios"), exo.json("/api/interventions"), exo.json("/api/sources")]);
  for (const s of scenarios) run.scenarios[s.name] = s;
  for (const k of kinds) run.kinds[k.kind] = k;
  $("scenario").innerHTML = scenarios.map(s => `<option value="${exo.esc(s.name)}">${exo.esc(s.name)}</option>`).join("");
  $("iv-kind").innerHTML = kinds.map(k => `<option value="${exo.esc(k.kind)}">${exo.esc(k.kind)}</option>`).join("");
  $("iv-source").innerHTML = sources.map(s => `<option value="${exo.esc(s.name)}" title="${exo.esc(s.help)}">${exo.esc(s.name)}</option>`).join("");
  const params = new URLSearchParams(location.search);
  $("scenario").value = params.get("scenario") || "ovx";
  $("iv-kind").value = "exosome";
  $("iv-source").value = "bmsc";
  for (const iv of params.getAll("intervention")) run.interventions.push(iv);
  if (params.get("days")) $("days").value = params.get("days");
  onScenario(params.get("species"), params.get("site"));
  onKind();
  renderChips();
  $("scenario").addEventListener("change", () => onScenario());
  $("species").addEventListener("change", () => onSpecies());
  $("iv-kind").addEventListener("change", onKind);
  $("iv-add").addEventListener("click", addFromForm);
  $("iv-raw-add").addEventListener("click", () => {
    const text = $("iv-raw").value.trim();
    if (text) { addIntervention(text); $("iv-raw").value = ""; }
  });
  $("run-form").addEventListener("submit", e => { e.preventDefault(); simulate(); });
  document.body.dataset.ready = "1";
}

function onScenario(species, site) {
  const s = run.scenarios[$("scenario").value];
  $("scenario-help").textContent = `${s.description} (BV/TV documented ${s.bv_tv_direction})`;
  $("species").innerHTML = s.species.map(x => `<option ${x === s.default_species ? "selected" : ""}>${exo.esc(x)}</option>`).join("");
  if (species && s.species.includes(species)) $("species").value = species;
  onSpecies(site);
}

// the sites with data for the chosen species, its default first
function onSpecies(site) {
  const sites = run.scenarios[$("scenario").value].sites[$("species").value] || [];
  $("site").innerHTML = sites.map(x => `<option value="${exo.esc(x)}">${exo.esc(x.replace(/_/g, " "))}</option>`).join("");
  if (site && sites.includes(site)) $("site").value = site;
}

function onKind() {
  const k = run.kinds[$("iv-kind").value];
  $("iv-help").innerHTML = `${exo.esc(k.help)}<br><code>${exo.esc(k.usage)}</code>`;
  const isExosome = k.kind === "exosome";
  $("iv-source").hidden = !isExosome;
  $("iv-arg").hidden = isExosome;
  $("iv-arg-box").hidden = k.arg === "none";
  $("iv-arg-label").textContent = isExosome ? "Exosome source" : `Argument (${k.arg})`;
  const m = /:([A-Z@\[\]_]+)/.exec(k.usage);
  $("iv-arg").placeholder = m ? m[1] : "";
  for (const box of document.querySelectorAll("[data-opt]")) {
    box.hidden = !k.options.includes(box.dataset.opt);
  }
  if (isExosome && !$("iv-dose").value) { $("iv-dose").value = 100; $("iv-start").value = 28; $("iv-every").value = 7; }
}

function addFromForm() {
  const k = run.kinds[$("iv-kind").value];
  const arg = k.kind === "exosome" ? $("iv-source").value : $("iv-arg").value.trim();
  const opts = [];
  for (const key of ["dose", "route", "start", "every", "stop"]) {
    const el = $("iv-" + key);
    if (k.options.includes(key) && el.value.trim() !== "") opts.push(`${key}=${el.value.trim()}`);
  }
  const extra = $("iv-extra").value.trim();
  if (extra) opts.push(...extra.split(",").map(s => s.trim()).filter(Boolean));
  let text = k.kind + (arg ? ":" + arg : "");
  if (opts.length) text += (arg ? "," : ":") + opts.join(",");
  addIntervention(text);
}

function addIntervention(text) {
  if (run.interventions.length >= 10) { setError("at most 10 interventions"); return; }
  run.interventions.push(text);
  renderChips();
}

function renderChips() {
  $("iv-list").innerHTML = run.interventions.length
    ? run.interventions.map((t, i) => `<span class="chip"><code>${exo.esc(t)}</code><button type="button" title="remove" data-i="${i}">✕</button></span>`).join("")
    : `<span class="small muted">No intervention: the run shows the untreated scenario.</span>`;
  for (const b of $("iv-list").querySelectorAll("button")) {
    b.addEventListener("click", () => { run.interventions.splice(Number(b.dataset.i), 1); renderChips(); });
  }
}

function request() {
  const req = {scenario: $("scenario").value, interventions: [...run.interventions],
               species: $("species").value || null, site: $("site").value || null, days: Number($("days").value), compare: true};
  const band = $("band").value.trim();
  if (band !== "") { req.band = Number(band); req.seed = 0; }
  return req;
}

function queryOf(req) {
  const p = new URLSearchParams({scenario: req.scenario, days: req.days});
  if (req.species) p.set("species", req.species);
  if (req.site) p.set("site", req.site);
  for (const iv of req.interventions) p.append("intervention", iv);
  return p;
}

async function simulate() {
  setError("");
  const req = request();
  $("run-btn").disabled = true;
  $("run-status").textContent = "running… (the first run of a model compiles it: ~10 s)";
  const t0 = performance.now();
  try {
    const res = await exo.json("/api/simulate", {method: "POST", headers: {"Content-Type": "application/json"},
                                                  body: JSON.stringify(req)});
    run.result = res;
    $("run-status").textContent = `done in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    const q = queryOf(req);
    history.replaceState(null, "", "?" + q.toString());
    $("dl-csv").href = "/api/simulate/download?" + q.toString() + "&format=csv";
    $("dl-netcdf").href = "/api/simulate/download?" + q.toString() + "&format=netcdf";
    $("dl-sbml").href = "/api/model/sbml?" + q.toString();
    const rq = new URLSearchParams(q);  // only the report takes the band
    if (req.band) { rq.set("band", req.band); rq.set("seed", req.seed); }
    $("dl-report").href = "/api/report?" + rq.toString();
    $("downloads").hidden = false;
    render();
  } catch (e) {
    setError(e.message);
    $("run-status").textContent = "";
  } finally {
    $("run-btn").disabled = false;
  }
}

function isFlatOne(values) { return values.every(v => v !== null && Math.abs(v - 1) < 1e-12); }

function render() {
  const r = run.result;
  $("result-empty").hidden = true;
  $("result-title").textContent = `${r.scenario} (${r.species}), ${r.site.replace(/_/g, " ")}: ${r.interventions.join("; ") || "no intervention"}`;
  const names = Object.keys(r.outcomes).filter(n => !(n === "defect_fill" && isFlatOne(r.outcomes[n])));
  const picker = $("outcome-picker");
  picker.hidden = false;
  picker.innerHTML = "Plots: " + names.map(n => `<label style="display:inline;margin-right:8px">
    <input type="checkbox" value="${exo.esc(n)}" ${run.shown.has(n) ? "checked" : ""}> ${exo.esc(LABEL[n] || n)}</label>`).join("");
  for (const cb of picker.querySelectorAll("input")) {
    cb.addEventListener("change", () => { cb.checked ? run.shown.add(cb.value) : run.shown.delete(cb.value); plots(names); });
  }
  plots(names);
  table(names);
  const p = r.provenance;
  $("provenance").innerHTML = `model <code>${exo.esc(p.model_hash.slice(0, 12))}</code> · atlas ${exo.esc(p.atlas_version || "n/a")}
    · solver ${exo.esc(p.solver.method)} rtol=${exo.esc(p.solver.rtol)} · exobone ${exo.esc(p.versions.exobone)}
    · cells and markers relative to healthy = 1`;
  const c = r.parameter_sources.counts;
  $("provenance").innerHTML += `<br>parameters: ${c.fitted} fitted${r.parameter_sources.fitted.length ? " (" + exo.esc(r.parameter_sources.fitted.join(", ")) + ")" : ""},
    ${c.cited} cited, ${c.assumed} assumed`
    + (r.parameter_sources.exosome_magnitudes ? `<br>exosome ${exo.esc(r.parameter_sources.exosome_magnitudes)}` : "")
    + (r.band ? ` · band (in brackets, shaded): 5–95 % of ${r.band.n} runs, seed ${r.band.seed}, drawing ${exo.esc(r.band.drawn)}; ${exo.esc(r.band.method)}` : "");
}

function plots(names) {
  const r = run.result;
  const box = $("plots");
  box.innerHTML = "";
  for (const n of names.filter(n => run.shown.has(n))) {
    const div = document.createElement("div");
    div.className = "plot";
    div.id = "plot-" + n;
    box.appendChild(div);
    const traces = [];
    const b = r.band && r.band.treated[n];
    if (b) {  // 5-95 % band of the fitted parameters' uncertainty, under the lines
      traces.push({x: r.band.times, y: b[0], mode: "lines", line: {width: 0}, showlegend: false, hoverinfo: "skip"});
      traces.push({x: r.band.times, y: b[2], mode: "lines", line: {width: 0}, fill: "tonexty",
                   fillcolor: "rgba(31,111,235,0.18)", name: "treated 5-95 %"});
    }
    traces.push({x: r.times, y: r.outcomes[n], mode: "lines", name: "treated", line: {color: "#1f6feb", width: 2}});
    if (r.control) traces.push({x: r.times, y: r.control.outcomes[n], mode: "lines", name: "control",
                                line: {color: "#6e7781", dash: "dash", width: 2}});
    const unit = r.units[n] ? ` [${r.units[n]}]` : "";
    Plotly.newPlot(div, traces, {
      title: {text: (LABEL[n] || n) + unit, font: {size: 13}}, margin: {l: 50, r: 10, t: 34, b: 36},
      xaxis: {title: {text: "day"}}, legend: {orientation: "h", y: -0.25, font: {size: 10}},
      showlegend: n === names.find(x => run.shown.has(x)),
    }, {displaylogo: false, responsive: true});
  }
}

function fmt(v) {
  if (v === null || v === undefined) return "–";
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(3);
}

function table(names) {
  const r = run.result;
  const last = r.times.length - 1;
  const rows = names.map(n => {
    const t = r.outcomes[n][last];
    const c = r.control ? r.control.outcomes[n][last] : null;
    const change = c ? (t - c) / Math.abs(c) * 100 : null;
    const cls = change === null || Math.abs(change) < 1 ? "na" : change > 0 ? "ok" : "bad";
    const b = r.band && r.band.treated[n];
    const band = b ? ` <span class="small muted">(${fmt(b[0][b[0].length - 1])}–${fmt(b[2][b[2].length - 1])})</span>` : "";
    return `<tr><td>${exo.esc(LABEL[n] || n)}</td><td>${exo.esc(r.units[n] || "")}</td><td>${fmt(t)}${band}</td>
      <td>${fmt(c)}</td><td class="${cls}">${change === null ? "–" : (change > 0 ? "+" : "") + change.toFixed(1) + " %"}</td>
      <td class="small muted">${exo.esc(r.descriptions[n] || "")}</td></tr>`;
  });
  $("table-title").hidden = false;
  $("table-title").textContent = `Outcomes at day ${r.times[last]}`;
  $("outcome-table").hidden = false;
  document.querySelector("#outcome-table tbody").innerHTML = rows.join("");
}

init().catch(e => setError(e.message));
