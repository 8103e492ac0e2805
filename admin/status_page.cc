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
th{font-weight:600;color:#445;border-top:none}
.state{display:inline-block;padding:.1em .6em;border-radius:10px;font-weight:600;color:#fff}
.Online{background:#1f8a3b} .Degraded{background:#c62828} .CheckingEndpoint{background:#d68a00}
.Disabled{background:#6b7280} .answer{font-weight:600}
.timeline{display:flex;gap:2px} .tick{width:8px;height:16px;border-radius:2px;background:#1f8a3b}
.tick.fail{background:#c62828} .error{color:#c62828;font-weight:600}
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
function timeline(history) {
  const t = el("div", {class: "timeline"});
  for (const h of history) {
    t.appendChild(el("span", {class: "tick" + (h.ok ? "" : " fail"),
      title: h.at + (h.ok ? " ok " + h.rtt_ms + " ms" : " " + h.reason)}));
  }
  return t;
}
function render(status) {
  const root = document.getElementById("profiles");
  root.replaceChildren();
  for (const p of status.profiles) {
    const s = el("section", {"data-profile": p.name});
    const h = el("h2", {}, p.name + " ");
    h.appendChild(el("small", {}, p.method + ", answer: "));
    h.appendChild(el("span", {class: "answer"}, p.answer.endpoints.join(", ") || "none"));
    s.appendChild(h);
    const table = el("table");
    const head = el("tr");
    for (const c of ["endpoint", "target", "state", "last failure", "latency", "failures", "recent probes"])
      head.appendChild(el("th", {}, c));
    table.appendChild(head);
    for (const e of p.endpoints) {
      const row = el("tr", {"data-endpoint": e.name, "data-state": e.state});
      row.appendChild(el("td", {}, e.name));
      row.appendChild(el("td", {}, e.target));
      const st = el("td");
      st.appendChild(el("span", {class: "state " + e.state}, e.state));
      if (e.override && e.override.until) st.appendChild(el("small", {}, " until " + e.override.until));
      if (e.fleet) st.appendChild(el("div", {class: "fleet"}, "own probe: " + e.local_status + "; " +
        e.fleet.vantages.map(v => v.vantage + ": " + v.state + (v.detail ? ", " + v.detail : "") +
          (v.since && v.state !== "Online" ? ", since " + v.since : "")).join("; ")));
      row.appendChild(st);
      row.appendChild(el("td", {}, e.last_failure ? (e.last_failure.detail || e.last_failure.reason) : ""));
      row.appendChild(el("td", {}, e.latency_ms === null ? "" : e.latency_ms + " ms"));
      row.appendChild(el("td", {}, String(e.consecutive_failures)));
      const tl = el("td"); tl.appendChild(timeline(e.history)); row.appendChild(tl);
      table.appendChild(row);
    }
    s.appendChild(table);
    root.appendChild(s);
  }
  renderPublishing(status.publishing ? status.publishing.zones : []);
  document.getElementById("meta").textContent = "updated " + status.now +
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
