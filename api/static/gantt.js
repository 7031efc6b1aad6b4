/*
 * infraplan Gantt: a small self-contained SVG Gantt (no libraries, nothing fetched
 * from the internet). Reads the tasks of GET /schedules/{id}/gantt (frappe-gantt
 * fields plus project, critical, links with type and lag), draws one row per task
 * grouped by project (with a project summary bar), critical bars in red (class
 * "critical"), the driving path outlined (class "driving"), dependency arrows for
 * FS/SS/FF/SF, and a week/month zoom. The chart scrolls in its own box; the date header
 * and the activity-name column are sticky.
 *
 * Data: embedded in the page (when it was fetched with an X-API-Key header), or
 * fetched with the key from the URL fragment (#key=..., removed from the address bar
 * once read) or typed into the form.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var DAY_MS = 86400000;
  var ROW_H = 24, BAR_H = 14, HEAD_H = 44, LABEL_W = 280;
  var ZOOM = { week: 18, month: 4 }; // pixels per day
  var root = document.getElementById("gantt");
  var scheduleId = root.getAttribute("data-schedule-id");
  var message = document.getElementById("message");
  var state = { data: null, zoom: "month" };

  function day(iso) { // days since 1970-01-01 (UTC) of "YYYY-MM-DD"
    var p = iso.split("-");
    return Math.round(Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY_MS);
  }
  function isoOf(d) { return new Date(d * DAY_MS).toISOString().slice(0, 10); }
  function el(name, attrs, parent, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) { if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]); }
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function clip(text, n) { // keep labels inside the label column (full text in the tooltip)
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  function rows(data) { // project header rows, then their tasks (already grouped by the API)
    var out = [], byProject = {};
    data.tasks.forEach(function (t) {
      var p = t.project || "(no project)";
      if (!byProject[p]) {
        byProject[p] = { group: true, name: p, start: t.start, end: t.end, tasks: [] };
        out.push(byProject[p]);
      }
      var g = byProject[p];
      if (t.start < g.start) g.start = t.start;
      if (t.end > g.end) g.end = t.end;
      g.tasks.push(t);
    });
    var flat = [];
    out.forEach(function (g) { flat.push(g); g.tasks.forEach(function (t) { flat.push(t); }); });
    return flat;
  }

  function div(cls, parent, text) {
    var e = document.createElement("div");
    e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  // Layout: the chart scrolls in its own box (.gantt, viewport height, scrollbars at its
  // edges); inside, a 2x2 grid whose date header sticks to the top and whose activity
  // column sticks to the left, so a scrolled chart keeps its dates and names in view.
  function render() {
    var data = state.data;
    root.textContent = "";
    if (!data || !data.tasks || !data.tasks.length) {
      message.textContent = "This schedule has no activities to draw.";
      return;
    }
    var px = ZOOM[state.zoom];
    var list = rows(data);
    var first = Infinity, last = -Infinity;
    data.tasks.forEach(function (t) {
      first = Math.min(first, day(t.start));
      last = Math.max(last, day(t.end) + 1);
    });
    var d0 = new Date(first * DAY_MS);
    first = Math.round(Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth(), 1) / DAY_MS);
    last += 7;
    var width = (last - first) * px + 20;
    var height = list.length * ROW_H + 10;
    var grid = div("gantt-grid", root);
    grid.style.gridTemplateColumns = LABEL_W + "px " + width + "px";
    div("gantt-corner", grid, "Activity");
    var head = el("svg", { "class": "gantt-head", width: width, height: HEAD_H,
      "aria-hidden": "true" }, div("gantt-head-cell", grid));
    var labels = el("svg", { "class": "gantt-labels", width: LABEL_W, height: height },
      div("gantt-labels-cell", grid));
    var svg = el("svg", { "class": "gantt-chart", width: width, height: height,
      viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Gantt of " + (data.plan_name || "schedule") }, div("gantt-chart-cell", grid));
    var defs = el("defs", {}, svg);
    [["arrowhead", "#8a93a0"], ["arrowhead-critical", "#d62728"]].forEach(function (m) {
      var mk = el("marker", { id: m[0], viewBox: "0 0 8 8", refX: 7, refY: 4, markerWidth: 7,
        markerHeight: 7, orient: "auto-start-reverse" }, defs);
      el("path", { d: "M0,0 L8,4 L0,8 z", fill: m[1] }, mk);
    });
    function x(d) { return (d - first) * px; }
    function y(i) { return i * ROW_H; }

    // row backgrounds of the project rows, under everything else
    var bg = el("g", { "class": "row-bgs" }, svg);
    list.forEach(function (r, i) {
      if (!r.group) return;
      el("rect", { "class": "row-bg group", x: 0, y: y(i), width: width, height: ROW_H }, bg);
      el("rect", { "class": "row-bg group", x: 0, y: y(i), width: LABEL_W, height: ROW_H },
        labels);
    });

    // grid: months always, weeks (Mondays) in week zoom; their labels in the sticky header
    var lines = el("g", { "class": "grid" }, svg);
    for (var d = first; d <= last; d++) {
      var date = new Date(d * DAY_MS);
      if (date.getUTCDate() === 1) {
        el("line", { "class": "grid-line month", x1: x(d), x2: x(d), y1: 0, y2: height }, lines);
        el("line", { "class": "grid-line month", x1: x(d), x2: x(d), y1: 0, y2: HEAD_H }, head);
        el("text", { "class": "grid-label", x: x(d) + 3, y: 16 }, head, isoOf(d).slice(0, 7));
      } else if (state.zoom === "week" && date.getUTCDay() === 1) {
        el("line", { "class": "grid-line week", x1: x(d), x2: x(d), y1: 0, y2: height }, lines);
        el("line", { "class": "grid-line week", x1: x(d), x2: x(d), y1: 22, y2: HEAD_H }, head);
        el("text", { "class": "grid-label", x: x(d) + 2, y: 36 }, head, String(date.getUTCDate()));
      }
    }

    // rows: names in the sticky column, bars in the chart
    var pos = {};
    var body = el("g", { "class": "rows" }, svg);
    list.forEach(function (r, i) {
      var top = y(i);
      if (r.group) {
        el("title", {}, el("text", { "class": "row-label group", x: 6, y: top + 16 }, labels,
          clip(r.name, 38)), r.name);
        el("rect", { "class": "project-bar", "data-project": r.name, x: x(day(r.start)), y: top + 9,
          width: Math.max(2, (day(r.end) + 1 - day(r.start)) * px), height: 6 }, body);
        return;
      }
      el("title", {}, el("text", { "class": "row-label", x: 16, y: top + 16 }, labels,
        clip(r.id + "  " + (r.name || ""), 40)), r.id + " " + (r.name || ""));
      var s = day(r.start), e = day(r.end) + 1;
      var cls = (r.custom_class ? " " + r.custom_class : "") + (r.driving ? " driving" : "");
      var g = el("g", { "class": "task", "data-id": r.id }, body);
      var tip = r.id + " " + r.name + "\n" + r.start + " → " + r.finish +
        " (" + r.duration_days + " d)" + (r.total_float_days !== null &&
        r.total_float_days !== undefined ? ", total float " + r.total_float_days + " d" : "") +
        (r.critical ? ", critical" : "") + (r.driving ? ", driving path" : "");
      if (r.duration_days === 0) {
        var cx = x(s), cy = top + ROW_H / 2, h = BAR_H / 2 + 1;
        el("path", { "class": "milestone" + cls, "data-id": r.id,
          d: "M" + cx + "," + (cy - h) + " L" + (cx + h) + "," + cy + " L" + cx + "," +
             (cy + h) + " L" + (cx - h) + "," + cy + " z" }, g);
        pos[r.id] = { s: cx, e: cx, y: cy };
      } else {
        el("rect", { "class": "bar" + cls, "data-id": r.id, x: x(s), y: top + (ROW_H - BAR_H) / 2,
          width: Math.max(1, (e - s) * px), height: BAR_H }, g);
        pos[r.id] = { s: x(s), e: x(e), y: top + ROW_H / 2 };
      }
      el("title", {}, g, tip);
    });

    // dependency arrows: FS end→start, SS start→start, FF end→end, SF start→end
    var arrows = el("g", { "class": "arrows" }, svg);
    data.tasks.forEach(function (t) {
      (t.links || []).forEach(function (l) {
        var p = pos[l.predecessor], q = pos[t.id];
        if (!p || !q) return;
        var fromEnd = l.type === "FS" || l.type === "FF";
        var toEnd = l.type === "FF" || l.type === "SF";
        var x1 = fromEnd ? p.e : p.s, x2 = toEnd ? q.e : q.s;
        var bend = toEnd ? Math.max(x1, x2) + 8 : Math.min(x1 + 8, x2 - 8);
        var d = "M" + x1 + "," + p.y + " H" + bend + " V" + q.y + " H" + x2;
        var crit = t.critical && byId[l.predecessor] && byId[l.predecessor].critical;
        el("path", { "class": "arrow" + (crit ? " critical" : ""), d: d,
          "data-from": l.predecessor, "data-to": t.id, "data-type": l.type }, arrows);
      });
    });

    // today
    var today = Math.floor(Date.now() / DAY_MS);
    if (today >= first && today <= last) {
      el("line", { "class": "today", x1: x(today), x2: x(today), y1: 0, y2: height }, svg);
    }
    document.querySelectorAll(".zoom button").forEach(function (b) {
      b.classList.toggle("active", b.getAttribute("data-zoom") === state.zoom);
    });
  }
  var byId = {};

  function show(data) {
    state.data = data;
    byId = {};
    data.tasks.forEach(function (t) { byId[t.id] = t; });
    document.title = "infraplan Gantt: " + (data.plan_name || "schedule " + scheduleId) +
      " v" + data.version;
    document.getElementById("title").textContent = (data.plan_name || "Schedule") +
      " — version " + data.version;
    var crit = data.tasks.filter(function (t) { return t.critical; }).length;
    document.getElementById("summary").textContent = data.tasks.length + " activities, " +
      crit + " critical, " + (data.plan_start || "") + " → " + (data.finish || "");
    message.textContent = "";
    render();
    root.setAttribute("data-rendered", "true");
  }

  function load(key) {
    message.textContent = "Loading…";
    fetch("/schedules/" + encodeURIComponent(scheduleId) + "/gantt",
      { headers: { "X-API-Key": key } })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
      })
      .then(function (res) {
        if (!res.ok) {
          message.textContent = "Error " + res.status + ": " + (res.body && res.body.detail);
          if (res.status === 401 || res.status === 403) askKey();
          return;
        }
        try { sessionStorage.setItem("infraplan-key", key); } catch (e) { /* private mode */ }
        show(res.body);
      })
      .catch(function (err) { message.textContent = "Cannot load the Gantt: " + err; });
  }

  function askKey() {
    var form = document.getElementById("key-form");
    form.hidden = false;
    form.onsubmit = function (ev) {
      ev.preventDefault();
      var key = document.getElementById("key-input").value.trim();
      if (key) { form.hidden = true; load(key); }
    };
  }

  document.querySelectorAll(".zoom button").forEach(function (b) {
    b.addEventListener("click", function () {
      state.zoom = b.getAttribute("data-zoom");
      if (state.data) render();
    });
  });

  var embedded = null;
  try { embedded = JSON.parse(document.getElementById("gantt-data").textContent); }
  catch (e) { embedded = null; }
  if (embedded) { show(embedded); return; }
  var m = /(?:^|[#&])key=([^&]+)/.exec(location.hash);
  var key = m ? decodeURIComponent(m[1]) : null;
  if (m && window.history && history.replaceState) {
    // the key must not stay in the address bar (nor in bookmarks, history or screenshots)
    var rest = location.hash.replace(/(^#|&)key=[^&]*/, "$1").replace(/^#&/, "#").replace("&&", "&")
      .replace(/&$/, "");
    history.replaceState(null, "", location.pathname + location.search +
      (rest === "#" ? "" : rest));
  }
  if (!key) { try { key = sessionStorage.getItem("infraplan-key"); } catch (e) { key = null; } }
  if (key) load(key); else askKey();
})();
