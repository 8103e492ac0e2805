// Status page (see status_page.hh). Endpoint rows carry data-state, so tests and people alike
// read the state without parsing colours.
#include "admin/status_page.hh"

namespace admin {
namespace {

constexpr std::string_view k_html = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dnsd status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/status.css">
<script src="/status.js" defer></script>
</head><body>
<form id="login" hidden><h1>dnsd status: token required</h1>
<label>Admin token <input id="t" type="password" autocomplete="off"></label>
<button>Open</button> <span id="why" class="error"></span></form>
<main id="status" hidden>
<h1>dnsd status</h1><div class="meta" id="meta">loading…</div>
<div id="profiles"></div>
<div id="publishing"></div>
</main></body></html>
)HTML";

constexpr std::string_view k_css =
    R"CSS(body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;background:#f6f7f9;color:#1d2330}
h1{font-size:20px;margin:0 0 .2em} .meta{color:#667;margin-bottom:1em}
section{background:#fff;border:1px solid #dde;border-radius:6px;margin:0 0 1em;padding:.6em 1em}
h2{font-size:16px;margin:.2em 0 .5em} h2 small{font-weight:normal;color:#667}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:.3em .6em;border-top:1px solid #eef}
th{font-weight:600;color:#445;border-top:none} th[title]{text-decoration:underline dotted;cursor:help}
.state{display:inline-block;padding:.1em .6em;border-radius:10px;font-weight:600;color:#fff}
.Online{background:#1f8a3b} .Degraded{background:#c62828}
.CheckingEndpoint,.CheckingEndpoints{background:#d68a00}
.Disabled,.Inactive,.Stopped,.Unmonitored{background:#6b7280} .answer{font-weight:600}
.probed,.since,.past{color:#667} .probed .state{font-size:12px}
.all-degraded{background:#fdecea;border-left:4px solid #c62828;color:#8e1b1b;font-weight:600;
 margin:.2em 0 .6em;padding:.4em .8em}
.stale{color:#99a;font-style:italic}
.spark polyline{fill:none;stroke:#1f5fbf;stroke-width:1.5} .spark .ok{fill:#1f5fbf}
.spark .fail{fill:#c62828}
.error{color:#c62828;font-weight:600}
.yes{color:#1f8a3b;font-weight:600} .no{color:#c62828;font-weight:600}
#login{background:#fff;border:1px solid #dde;border-radius:6px;padding:1em;max-width:32em}
[hidden]{display:none !important}
)CSS";

constexpr std::string_view k_js = R"JS("use strict";
const KEY = "dnsd_token";
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function svg(tag, attrs, tip) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (tip !== undefined) e.appendChild(svg("title")).textContent = tip;
  return e;
}
// Times come as RFC 3339 UTC; on screen "04:20:03" for today (as the API's "now" sees it), the
// date too otherwise, and the whole text in the tooltip.
function when(at, now, cls) {
  const short = at.slice(0, 10) === String(now).slice(0, 10) ? at.slice(11, 19)
                                                              : at.slice(0, 10) + " " + at.slice(11, 19);
  return el("span", {class: cls, title: at}, short);
}
function probeText(h) {
  return h.at + (h.ok ? " ok " + h.rtt_ms + " ms" : " " + h.reason + (h.http_status ? " " + h.http_status : ""));
}
// Latency over the recent probes, oldest left, one mark per probe: a dot on a line through the
// successful probes' rtt_ms, and for a failed probe a red bar that breaks the line (its rtt
// says nothing about the endpoint's latency).
function sparkline(history) {
  const step = 8, height = 24, pad = 3, width = Math.max(1, history.length) * step;
  const s = svg("svg", {class: "spark", width: width, height: height, role: "img",
                        viewBox: "0 0 " + width + " " + height, "data-points": history.length});
  const max = Math.max(1, ...history.filter(h => h.ok).map(h => h.rtt_ms));
  let run = [];
  const lines = [];
  const flush = () => { if (run.length > 1) lines.push(svg("polyline", {points: run.join(" ")})); run = []; };
  history.forEach((h, i) => {
    const x = i * step + step / 2;
    if (!h.ok) {
      flush();
      s.appendChild(svg("rect", {class: "probe fail", x: x - 2, y: pad, width: 4, height: height - 2 * pad},
                        probeText(h)));
      return;
    }
    const y = (height - pad - (h.rtt_ms / max) * (height - 2 * pad)).toFixed(1);
    run.push(x + "," + y);
    s.appendChild(svg("circle", {class: "probe ok", cx: x, cy: y, r: 1.8}, probeText(h)));
  });
  flush();
  for (const l of lines) s.insertBefore(l, s.firstChild);  // the line under the dots
  return s;
}
// Stale: not from a successful probe within two intervals (the API's latency_stale). From an
// API without that field: stale when the last probe failed.
function latencyStale(e) {
  if (typeof e.latency_stale === "boolean") return e.latency_stale;
  const last = (e.history || []).slice(-1)[0];
  return !!last && !last.ok;
}
function latencyCell(e) {
  const td = el("td", {class: "latency"});
  if (e.latency_ms === null || e.latency_ms === undefined) return td;
  const stale = latencyStale(e);
  td.dataset.stale = String(stale);
  td.textContent = e.latency_ms + " ms" + (stale ? " (stale)" : "");
  if (stale) {
    td.classList.add("stale");
    td.title = "no successful probe lately: the last latency measured, not the current one";
  }
  return td;
}
// The state badge; for a disabled endpoint also what its probe says (probing goes on); then
// since when the endpoint is in its monitor status, an override's end and the fleet's view.
function stateCell(e, now) {
  const td = el("td", {class: "status"});
  td.appendChild(el("span", {class: "state " + e.state}, e.state));
  if (e.state === "Disabled" && e.monitor_status) {
    const probed = td.appendChild(el("span", {class: "probed"}, " probe: "));
    probed.appendChild(el("span", {class: "state " + e.monitor_status}, e.monitor_status));
  }
  if (e.since) { td.appendChild(document.createTextNode(" since ")); td.appendChild(when(e.since, now, "since")); }
  if (e.override && e.override.until) td.appendChild(el("small", {}, " until " + e.override.until));
  if (e.fleet) td.appendChild(el("div", {class: "fleet"}, "own probe: " + e.local_status + "; " +
    e.fleet.vantages.map(v => v.vantage + ": " + v.state + (v.detail ? ", " + v.detail : "") +
      (v.since && v.state !== "Online" ? ", since " + v.since : "")).join("; ")));
  return td;
}
// The last failure ever seen, with its time: history while the probe says Online.
function failureCell(e, now) {
  const f = e.last_failure, td = el("td", {class: "failure" + (e.monitor_status === "Online" ? " past" : "")});
  if (!f) return td;
  if (f.at) { td.appendChild(when(f.at, now, "at")); td.appendChild(document.createTextNode(": ")); }
  td.appendChild(document.createTextNode(f.detail || f.reason));
  return td;
}
const FAILURES_TIP = "consecutive failed probes: the endpoint turns Degraded after tolerated_failures + 1 in a row";
// The column the method ranks by: priority or weight, none for the others.
function rankOf(method) {
  return {priority: "priority", weighted: "weight"}[method] || null;
}
function endpointRow(p, e, now) {
  const row = el("tr", {"data-endpoint": e.name, "data-state": e.state});
  if (e.monitor_status) row.dataset.monitorStatus = e.monitor_status;
  row.appendChild(el("td", {}, e.name));
  row.appendChild(el("td", {}, e.target));
  const rank = rankOf(p.method);
  if (rank) row.appendChild(el("td", {class: "rank"}, String(e[rank])));
  row.appendChild(stateCell(e, now));
  row.appendChild(failureCell(e, now));
  row.appendChild(latencyCell(e));
  const runs = el("td", {class: "failures"}, String(e.consecutive_failures));
  if (e.monitor) runs.title = "Degraded after " + (e.monitor.tolerated_failures + 1) + " in a row";
  row.appendChild(runs);
  const spark = el("td"); spark.appendChild(sparkline(e.history || [])); row.appendChild(spark);
  return row;
}
function profileSection(p, now) {
  const s = el("section", {"data-profile": p.name});
  const h = el("h2", {}, p.name + " ");
  if (p.monitor_status) {
    h.appendChild(el("span", {class: "state " + p.monitor_status, "data-monitor-status": ""}, p.monitor_status));
    h.appendChild(document.createTextNode(" "));
  }
  h.appendChild(el("small", {}, p.method + ", answer: "));
  const names = p.answer.endpoints.join(", ");
  h.appendChild(el("span", {class: "answer"}, names || "none"));
  s.appendChild(h);
  // Every endpoint is down and the answer is the configured fallback: say so, it is no failover.
  if (p.answer.all_degraded)
    s.appendChild(el("p", {class: "all-degraded", role: "alert"},
      "answering " + (names || "nothing") + " although Degraded: every endpoint is down"));
  const table = el("table");
  const head = el("tr");
  const rank = rankOf(p.method);
  for (const c of ["endpoint", "target"].concat(rank ? [rank] : [],
       ["state", "last failure", "latency", "failures in a row", "recent probes"])) {
    const th = head.appendChild(el("th", {}, c));
    if (c === "failures in a row") th.title = FAILURES_TIP;
    if (c === "recent probes") th.title = "latency of each recent probe, oldest left; red bars are failed probes";
  }
  table.appendChild(head);
  for (const e of p.endpoints) table.appendChild(endpointRow(p, e, now));
  s.appendChild(table);
  return s;
}
function render(status) {
  document.getElementById("profiles").replaceChildren(...status.profiles.map(p => profileSection(p, status.now)));
  renderPublishing(status.publishing ? status.publishing.zones : []);
  const m = document.getElementById("meta");
  m.className = "meta";
  m.textContent = "updated " + status.now +
    (status.fleet ? " · fleet " + status.fleet.vantage + " (" + status.fleet.rule + ", " +
      (status.fleet.connected ? "connected" : "etcd UNREACHABLE: local decisions") + ")" : "") +
    (status.last_reload ? " · last reload " + status.last_reload.at + (status.last_reload.ok ? " ok" : " REJECTED") : "");
}
// Per published zone: "serial S, propagated to N of M secondaries" and a line per secondary.
function renderPublishing(zones) {
  const root = document.getElementById("publishing");
  root.replaceChildren();
  for (const z of zones) {
    const s = el("section", {"data-zone": z.zone});
    const h = el("h2", {}, z.zone + " ");
    h.appendChild(el("small", {class: "summary"}, z.summary));
    s.appendChild(h);
    const table = el("table");
    const head = el("tr");
    for (const c of ["secondary", "current", "serving serial", "seen", "notify", "acked serial", "error"])
      head.appendChild(el("th", {}, c));
    table.appendChild(head);
    for (const x of z.secondaries) {
      const row = el("tr", {"data-secondary": x.secondary, "data-current": String(x.current)});
      row.appendChild(el("td", {}, x.secondary));
      row.appendChild(el("td", {class: x.current ? "yes" : "no"}, x.current ? "yes" : "no"));
      row.appendChild(el("td", {}, x.serving_serial === null ? "" : String(x.serving_serial)));
      row.appendChild(el("td", {}, x.seen_at === null ? "" : x.seen_by + " at " + x.seen_at));
      row.appendChild(el("td", {}, x.notify || ""));
      row.appendChild(el("td", {}, x.acked_serial === null ? "" : String(x.acked_serial)));
      row.appendChild(el("td", {class: "error"}, x.error || ""));
      table.appendChild(row);
    }
    s.appendChild(table);
    root.appendChild(s);
  }
}
async function refresh() {
  try {
    const token = sessionStorage.getItem(KEY);
    if (!token) return;
    const r = await fetch("/api/v1/status",
      {cache: "no-store", credentials: "omit", headers: {"Authorization": "Bearer " + token}});
    if (r.status === 401) { sessionStorage.removeItem(KEY); ask("the token was refused"); return; }
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
  } catch (err) {
    const m = document.getElementById("meta");
    m.textContent = "cannot reach dnsd: " + err.message; m.className = "meta error";
  }
}
// The token lives in this tab's sessionStorage: it is bound to this origin (scheme, host and
// port), unlike a cookie, and is sent only as the Authorization header of our own fetch().
function ask(why) {
  document.title = "dnsd: token required";
  document.getElementById("status").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("why").textContent = why || "";
  document.getElementById("t").focus();
}
function show() {
  document.title = "dnsd status";
  document.getElementById("login").hidden = true;
  document.getElementById("status").hidden = false;
  refresh();
}
document.getElementById("login").addEventListener("submit", function (e) {
  e.preventDefault();
  const input = document.getElementById("t");
  sessionStorage.setItem(KEY, input.value);
  input.value = "";
  show();
});
setInterval(refresh, 1000);
if (sessionStorage.getItem(KEY)) show(); else ask();
)JS";

}  // namespace

std::optional<PageAsset> status_page_asset(std::string_view path) noexcept {
  if (path == "/") return PageAsset{k_html, "text/html; charset=utf-8"};
  if (path == "/status.css") return PageAsset{k_css, "text/css; charset=utf-8"};
  if (path == "/status.js") return PageAsset{k_js, "text/javascript; charset=utf-8"};
  return std::nullopt;
}

}  // namespace admin
