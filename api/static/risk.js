/* infraplan risk page: a schedule's Monte Carlo risk result and a button to run one.
 *
 * Shows the probability of finishing within the horizon, the P50/P80/P90 finish, the
 * histogram of finishes with its cumulative curve and the risk-driver tornado, drawn as
 * inline SVG (nothing fetched from elsewhere). "Run risk analysis" queues
 * POST /schedules/{id}/risk and follows GET /risk/{rid} with its progress.
 * The API key comes from the #key= fragment (then removed from the address bar) or the
 * browser session the workspace keeps it in; it is never put in a URL sent to the server.
 */
(function () {
  "use strict";
  var KEY = "infraplan-key";
  var SVG = "http://www.w3.org/2000/svg";
  var root = document.getElementById("risk");
  var sid = root.getAttribute("data-schedule-id");
  var message = document.getElementById("message");
  var key = null;
  var poller = null;
  var shown = null;

  function $(id) { return document.getElementById(id); }
  function say(text, bad) { message.textContent = text || ""; message.className = "message" + (bad ? " error" : ""); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function pct(x) { return (100 * x).toFixed(1) + " %"; }

  function takeKey() {
    var m = /(?:^#|[#&])key=([^&]*)/.exec(location.hash);
    if (m) {
      key = decodeURIComponent(m[1]);
      try { sessionStorage.setItem(KEY, key); } catch (e) { /* private mode */ }
      history.replaceState(null, "", location.pathname + location.search);
    }
    if (!key) { try { key = sessionStorage.getItem(KEY); } catch (e) { key = null; } }
  }

  function api(method, path, body) {
    var opts = { method: method, headers: { "X-API-Key": key || "" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (r) {
      var type = r.headers.get("content-type") || "";
      var read = type.indexOf("json") >= 0 ? r.json().catch(function () { return null; }) : r.blob();
      return read.then(function (b) { return { ok: r.ok, status: r.status, body: b, headers: r.headers }; });
    });
  }
  function detail(res) {
    var d = res.body && res.body.detail;
    if (Array.isArray(d)) {
      return d.map(function (e) {
        return (e.loc || []).filter(function (x) { return x !== "body"; }).join(".") + ": " + e.msg;
      }).join("; ");
    }
    return d || ("HTTP " + res.status);
  }

  // -- charts -------------------------------------------------------------------------------
  function histogram(doc) {
    var bins = doc.histogram || [];
    var W = 760, H = 260, L = 52, R = 52, T = 12, B = 44;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "Histogram of finishes with the cumulative curve", id: "histogram-svg" });
    if (!bins.length) return s;
    var lo = bins[0].from_days, hi = bins[bins.length - 1].to_days;
    var top = Math.max.apply(null, bins.map(function (b) { return b.count; })) || 1;
    function x(d) { return L + (W - L - R) * (d - lo) / Math.max(1e-9, hi - lo); }
    function y(c) { return H - B - (H - T - B) * c / top; }
    function yc(f) { return H - B - (H - T - B) * f; }
    s.appendChild(svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#7a8699" }));
    s.appendChild(svg("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#7a8699" }));
    s.appendChild(svg("line", { x1: W - R, y1: T, x2: W - R, y2: H - B, stroke: "#7a8699" }));
    bins.forEach(function (b) {
      var r = svg("rect", { x: x(b.from_days) + 1, y: y(b.count), width: Math.max(1, x(b.to_days) - x(b.from_days) - 2),
        height: H - B - y(b.count), fill: "#8fb3ea", class: "bar" });
      r.appendChild(svg("title", {}, b.from_days + "–" + (b.to_days - 1) + " days: " + b.count + " iterations"));
      s.appendChild(r);
    });
    var pts = [[x(lo), yc(0)]].concat(bins.map(function (b) { return [x(b.to_days), yc(b.cumulative)]; }));
    s.appendChild(svg("polyline", { points: pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "),
      fill: "none", stroke: "#c2410c", "stroke-width": 2, class: "cumulative" }));
    [0, 0.5, 0.8, 1].forEach(function (f) {
      s.appendChild(svg("text", { x: W - R + 4, y: yc(f) + 4, "font-size": 11, fill: "#c2410c" }, Math.round(100 * f) + " %"));
    });
    s.appendChild(svg("text", { x: 4, y: T + 10, "font-size": 11, fill: "#39527a" }, top));
    s.appendChild(svg("text", { x: 4, y: H - B, "font-size": 11, fill: "#39527a" }, "0"));
    var ms = doc.makespan_days;
    [["P50", ms.p50], ["P80", ms.p80], ["P90", ms.p90]].forEach(function (p, i) {
      var px = x(p[1] + 0.5);
      s.appendChild(svg("line", { x1: px, y1: T, x2: px, y2: H - B, stroke: "#1d2430", "stroke-dasharray": "4 3" }));
      s.appendChild(svg("text", { x: px + 3, y: T + 12 + 12 * i, "font-size": 11 }, p[0] + " " + p[1] + " d"));
    });
    if (doc.horizon_days >= lo && doc.horizon_days <= hi) {
      var hx = x(doc.horizon_days + 0.5);
      s.appendChild(svg("line", { x1: hx, y1: T, x2: hx, y2: H - B, stroke: "#b3261e", "stroke-width": 2, class: "horizon" }));
      s.appendChild(svg("text", { x: hx + 3, y: H - B - 6, "font-size": 11, fill: "#b3261e" }, "horizon"));
    }
    s.appendChild(svg("text", { x: L, y: H - B + 16, "font-size": 11 }, lo + " d"));
    s.appendChild(svg("text", { x: W - R, y: H - B + 16, "font-size": 11, "text-anchor": "end" }, (hi - 1) + " d"));
    s.appendChild(svg("text", { x: (L + W - R) / 2, y: H - 8, "font-size": 12, "text-anchor": "middle" },
      "makespan (days); bars: iterations, line: cumulative share"));
    return s;
  }

  function tornado(doc) {
    var risks = (doc.risks || []).slice().sort(function (a, b) { return b.p80_effect_days - a.p80_effect_days; }).slice(0, 12);
    var W = 760, row = 26, L = 240, R = 70, T = 8;
    var H = T + row * Math.max(1, risks.length) + 28;
    var s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
      "aria-label": "Risk drivers: days each risk adds to the P80 finish", id: "tornado-svg" });
    if (!risks.length) {
      s.appendChild(svg("text", { x: 8, y: 24, "font-size": 12 }, "The plan has no risk events."));
      return s;
    }
    var most = Math.max(1, Math.max.apply(null, risks.map(function (r) { return Math.abs(r.p80_effect_days); })));
    var mid = L;
    risks.forEach(function (r, i) {
      var w = (W - L - R) * Math.abs(r.p80_effect_days) / most, yy = T + i * row;
      s.appendChild(svg("text", { x: L - 8, y: yy + 17, "font-size": 12, "text-anchor": "end" },
        (r.name || r.id).slice(0, 36)));
      var bar = svg("rect", { x: r.p80_effect_days >= 0 ? mid : mid - w, y: yy + 4, width: Math.max(1, w), height: row - 8,
        fill: r.p80_effect_days >= 0 ? "#d9534f" : "#4f9d69", class: "risk-bar", "data-risk": r.id });
      bar.appendChild(svg("title", {}, r.id + ": occurs in " + pct(r.occurred) + " of iterations; P80 +" + r.p80_effect_days + " days"));
      s.appendChild(bar);
      s.appendChild(svg("text", { x: mid + Math.max(1, w) + 4, y: yy + 17, "font-size": 12 }, "+" + r.p80_effect_days + " d"));
    });
    s.appendChild(svg("line", { x1: mid, y1: T, x2: mid, y2: H - 24, stroke: "#7a8699" }));
    s.appendChild(svg("text", { x: mid, y: H - 8, "font-size": 12 }, "days the risk adds to P80 (re-run without it)"));
    return s;
  }

  // -- result -------------------------------------------------------------------------------
  function showResult(job) {
    var doc = job.risk;
    shown = job;
    $("result").hidden = false;
    var dl = $("figures");
    while (dl.firstChild) dl.removeChild(dl.firstChild);
    function fig(label, value, id, big) {
      dl.appendChild(el("dt", {}, label));
      dl.appendChild(el("dd", { id: id, class: big ? "big" : "" }, value));
    }
    var ms = doc.makespan_days, fin = doc.finish;
    fig("Within the horizon", pct(doc.probability_within_horizon) + " (by " + doc.horizon_end + ", " +
      doc.horizon_days + " days)", "fig-within", true);
    fig("P50 finish", fin.p50 + " (" + ms.p50 + " days)", "fig-p50", true);
    fig("P80 finish", fin.p80 + " (" + ms.p80 + " days)", "fig-p80", true);
    fig("P90 finish", fin.p90 + " (" + ms.p90 + " days)", "fig-p90", true);
    fig("Deterministic", doc.deterministic.finish + " (" + doc.deterministic.makespan_days + " days)", "fig-det");
    fig("Mean, std", ms.mean.toFixed(1) + " days, " + ms.std.toFixed(1) + " days", "fig-mean");
    fig("Iterations", doc.iterations + " (" + doc.mode + ", seed " + doc.seed + ", " + doc.seconds.toFixed(1) +
      " s" + (doc.stop_reason === "converged" ? "; stopped early: P80 settled" : "") +
      (doc.stop_reason === "time limit" ? "; stopped at the time limit" : "") + ")", "fig-iterations");
    if (job.reason) fig("Note", job.reason, "fig-note");
    var hist = $("histogram"), torn = $("tornado");
    while (hist.firstChild) hist.removeChild(hist.firstChild);
    while (torn.firstChild) torn.removeChild(torn.firstChild);
    hist.appendChild(histogram(doc));
    torn.appendChild(tornado(doc));
    var table = $("drivers");
    while (table.firstChild) table.removeChild(table.firstChild);
    var head = el("tr");
    ["Activity", "Name", "Criticality", "Cruciality", "P80 finish"].forEach(function (t) { head.appendChild(el("th", {}, t)); });
    table.appendChild(head);
    (doc.activities || []).slice(0, 10).forEach(function (a) {
      var tr = el("tr");
      tr.appendChild(el("td", {}, a.id));
      tr.appendChild(el("td", {}, a.name));
      tr.appendChild(el("td", { class: "num" }, pct(a.criticality)));
      tr.appendChild(el("td", { class: "num" }, (a.cruciality >= 0 ? "+" : "") + a.cruciality.toFixed(2)));
      tr.appendChild(el("td", {}, a.finish_p80));
      table.appendChild(tr);
    });
    $("report-button").hidden = !job.has_report;
  }

  function showProgress(job) {
    var p = job.progress || {};
    $("progress").hidden = false;
    var share = p.total ? Math.min(1, (p.iterations || 0) / p.total) : 0;
    $("progress-bar").style.width = (100 * share).toFixed(1) + "%";
    $("progress-text").textContent = job.status + ": " + (p.iterations || 0) + " of " + (p.total || "?") +
      " iterations" + (p.p80 !== null && p.p80 !== undefined ? ", P80 " + p.p80 + " days" : "") +
      (p.elapsed_s ? ", " + p.elapsed_s.toFixed(1) + " s" : "");
  }

  function follow(rid) {
    $("run-button").disabled = true;
    api("GET", "/risk/" + rid).then(function (res) {
      if (!res.ok) { $("run-button").disabled = false; say(detail(res), true); return; }
      var job = res.body;
      showProgress(job);
      if (job.status === "queued" || job.status === "running") {
        say("Risk job " + rid + " is " + job.status + "…");
        poller = setTimeout(function () { follow(rid); }, 500);
        return;
      }
      $("run-button").disabled = false;
      if (job.status === "done") { say("Risk job " + rid + " done."); showResult(job); }
      else say("Risk job " + rid + " " + job.status + (job.reason ? ": " + job.reason : ""), true);
    });
  }

  function load() {
    api("GET", "/schedules/" + sid + "/risk").then(function (res) {
      if (res.status === 401) { $("key-form").hidden = false; say(detail(res), true); return; }
      if (!res.ok) { say(detail(res), true); return; }
      $("key-form").hidden = true;
      var jobs = res.body;
      var active = jobs.filter(function (j) { return j.status === "queued" || j.status === "running"; })[0];
      var done = jobs.filter(function (j) { return j.status === "done" && j.risk; })[0];
      if (done) showResult(done);
      if (active) follow(active.id);
      else if (!done) say("No risk analysis of this schedule yet: run one.");
    });
  }

  $("run-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var body = { mode: $("run-mode").value };
    var it = $("run-iterations").value.trim(), seed = $("run-seed").value.trim();
    if (it) body.iterations = Number(it);
    if (seed) body.seed = Number(seed);
    if (poller) { clearTimeout(poller); poller = null; }
    api("POST", "/schedules/" + sid + "/risk", body).then(function (res) {
      if (!res.ok) { say(detail(res), true); return; }
      follow(res.body.id);
    });
  });
  $("report-button").addEventListener("click", function () {
    if (!shown) return;
    api("GET", "/risk/" + shown.id + "/report").then(function (res) {
      if (!res.ok) { say(detail(res), true); return; }
      var a = el("a", { href: URL.createObjectURL(res.body), download: "schedule-" + sid + "-risk-" + shown.id + ".xlsx" });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
    });
  });
  $("key-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    key = $("key-input").value.trim();
    try { sessionStorage.setItem(KEY, key); } catch (e) { /* private mode */ }
    $("key-input").value = "";
    load();
  });
  takeKey();
  if (key) load(); else { $("key-form").hidden = false; say("Enter an API key to see the risk result."); }
})();
