// Status page HTML (see status_page.hh). Endpoint rows carry data-state, so tests and people
// alike read the state without parsing colours.
#include "admin/status_page.hh"

namespace admin {
namespace {

constexpr std::string_view k_page = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dnsd status</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;background:#f6f7f9;color:#1d2330}
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
</style></head><body>
<h1>dnsd status</h1><div class="meta" id="meta">loading…</div>
<div id="profiles"></div>
<div id="publishing"></div>
<script>
"use strict";
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
    const r = await fetch("/api/v1/status", {cache: "no-store", credentials: "same-origin"});
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
  } catch (err) {
    const m = document.getElementById("meta");
    m.textContent = "cannot reach dnsd: " + err.message; m.className = "meta error";
  }
}
refresh();
setInterval(refresh, 1000);
</script></body></html>
)HTML";

constexpr std::string_view k_login = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dnsd: token required</title></head>
<body style="font:14px system-ui,sans-serif;margin:2em">
<h1 style="font-size:20px">dnsd status: token required</h1>
<form id="f"><label>Admin token <input id="t" type="password" autocomplete="off"></label>
<button>Open</button></form>
<script>
document.getElementById("f").addEventListener("submit", function (e) {
  e.preventDefault();
  document.cookie = "dnsd_token=" + encodeURIComponent(document.getElementById("t").value) +
    "; path=/; SameSite=Strict";
  location.reload();
});
</script></body></html>
)HTML";

}  // namespace

std::string_view status_page() noexcept { return k_page; }
std::string_view login_page() noexcept { return k_login; }

}  // namespace admin
