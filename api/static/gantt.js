/*
 * infraplan Gantt: a small self-contained SVG Gantt (no libraries, nothing fetched
 * from the internet). Reads the tasks of GET /schedules/{id}/gantt (frappe-gantt
 * fields plus project, critical, driving, floats, links with type and lag) and draws:
 *
 * - one row per task grouped by project (a summary bar per project, click to collapse);
 *   projects holding critical or driving activities come first; a plan too long for the
 *   window opens on "critical and driving only" (the other projects as summary bars), so
 *   both paths are in the first screen without scrolling;
 * - critical bars in red (class "critical": the longest logic path), the driving path
 *   outlined (class "driving": what fixes the solved finish);
 * - two floats, labelled apart in the tooltip, the legend and the activity panel: total
 *   float (logic: the dependency network alone, P6's) and plan float (leveled: how far the
 *   activity can slip in the solved plan, crews, caps and blackouts included);
 * - the plan's finish, the end of its horizon and today as labelled vertical lines;
 * - with progress, as P6 draws it: the work done before the data date in navy over the
 *   bar (class "bar-actual"; the rest of the bar is the remaining work) and the data
 *   date as a dotted teal line (class "mark data-date"), both in the legend;
 * - dependency arrows (FS/SS/FF/SF) only for the activity under the pointer or the one
 *   selected (so they are never read as grid lines); a click opens the activity panel;
 * - Fit / Week / Month / Quarter zoom (Fit: the whole plan in the window), and an A3
 *   landscape print layout (the chart is fitted to the sheet before printing).
 *
 * The chart scrolls in its own box; the date header and the activity column are sticky.
 * Data: embedded in the page (when it was fetched with an X-API-Key header), or
 * fetched with the key from the URL fragment (#key=..., removed from the address bar
 * once read), from the browser session, or typed into the form.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var DAY_MS = 86400000;
  var ROW_H = 22, BAR_H = 13, HEAD_H = 46, LABEL_W = 360;
  var ZOOM = { week: 18, month: 4, quarter: 1.4 }; // pixels per day; "fit" is computed
  var PRINT_W = 1500; // px of chart + labels on an A3 landscape sheet (420 mm less margins)
  var root = document.getElementById("gantt");
  var panel = document.getElementById("panel");
  var scheduleId = root.getAttribute("data-schedule-id");
  var message = document.getElementById("message");
  var state = { data: null, zoom: "fit", criticalOnly: false, collapsed: {}, expanded: {},
    selected: null, width: null };
  var byId = {};

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
  function div(cls, parent, text, tag) {
    var e = document.createElement(tag || "div");
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  // Keep a label inside ``maxW`` pixels (full text in the tooltip): measured, so wide
  // (Hangul) and narrow characters both fit; shortened with "…" by bisection.
  function fit(textEl, full, maxW) {
    textEl.textContent = full;
    if (!textEl.getComputedTextLength || textEl.getComputedTextLength() <= maxW) return;
    var lo = 0, hi = full.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      textEl.textContent = full.slice(0, mid) + "…";
      if (textEl.getComputedTextLength() <= maxW) lo = mid; else hi = mid - 1;
    }
    textEl.textContent = full.slice(0, lo) + "…";
  }

  // Project groups in the API's order (by first start), then critical first: projects
  // with critical activities, then those on the driving path, then the others.
  function groups(data) {
    var list = [], byProject = {};
    data.tasks.forEach(function (t) {
      var p = t.project || "(no project)";
      if (!byProject[p]) {
        byProject[p] = { group: true, name: p, start: t.start, end: t.end, tasks: [],
          critical: 0, driving: 0, index: list.length };
        list.push(byProject[p]);
      }
      var g = byProject[p];
      if (t.start < g.start) g.start = t.start;
      if (t.end > g.end) g.end = t.end;
      g.tasks.push(t);
      g.critical += t.critical ? 1 : 0;
      g.driving += t.driving ? 1 : 0;
    });
    function rank(g) { return g.critical ? 0 : (g.driving ? 1 : 2); }
    list.sort(function (a, b) { return rank(a) - rank(b) || a.index - b.index; });
    return list;
  }

  // The tasks shown of a project: none when collapsed; with "critical and driving only",
  // its critical and driving activities (all of them once the planner expands it).
  function visible(g) {
    if (state.collapsed[g.name]) return [];
    if (state.criticalOnly && !state.expanded[g.name]) {
      return g.tasks.filter(function (t) { return t.critical || t.driving; });
    }
    return g.tasks;
  }

  function rows(data) {
    var flat = [];
    groups(data).forEach(function (g) {
      g.shown = visible(g);
      flat.push(g);
      g.shown.forEach(function (t) { flat.push(t); });
    });
    return flat;
  }

  function pxPerDay(span) {
    if (state.zoom !== "fit") return ZOOM[state.zoom];
    var avail = (state.width || root.clientWidth || 1200) - LABEL_W - 24;
    return Math.max(0.25, Math.min(40, avail / Math.max(1, span)));
  }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
    "Dec"];

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
    var list = rows(data);
    var dataDate = data.data_date ? day(data.data_date) : null;
    var first = Infinity, last = -Infinity;
    data.tasks.forEach(function (t) {
      first = Math.min(first, day(t.start));
      last = Math.max(last, day(t.end) + 1);
    });
    if (data.plan_start) first = Math.min(first, day(data.plan_start));
    var horizon = data.horizon_end ? day(data.horizon_end) + 1 : null; // exclusive end
    if (horizon !== null && horizon - last < 400) last = Math.max(last, horizon);
    var d0 = new Date(first * DAY_MS);
    first = Math.round(Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth(), 1) / DAY_MS);
    last += 5;
    var px = pxPerDay(last - first);
    var width = Math.ceil((last - first) * px) + 16;
    var height = list.length * ROW_H + 8;
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
    [["arrowhead", "#4a5563"], ["arrowhead-critical", "#b3191b"]].forEach(function (m) {
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

    // grid: months (quarters when months are too narrow to label), weeks when wide enough
    var lines = el("g", { "class": "grid" }, svg);
    var monthW = 30 * px, weeks = px >= 9;
    for (var d = first; d <= last; d++) {
      var date = new Date(d * DAY_MS), m = date.getUTCMonth(), yr = date.getUTCFullYear();
      if (date.getUTCDate() === 1) {
        var quarter = m % 3 === 0, year = m === 0;
        var cls = year ? "grid-line year" : (quarter ? "grid-line quarter" : "grid-line month");
        el("line", { "class": cls, x1: x(d), x2: x(d), y1: 0, y2: height }, lines);
        el("line", { "class": cls, x1: x(d), x2: x(d), y1: 0, y2: HEAD_H }, head);
        if (monthW >= 60) {
          el("text", { "class": "grid-label", x: x(d) + 3, y: 14 }, head,
            isoOf(d).slice(0, 7));
        } else if (monthW >= 26) {
          el("text", { "class": "grid-label" + (year || d === first ? " strong" : ""),
            x: x(d) + 2, y: 14 }, head, year || d === first ? String(yr) : MONTHS[m]);
        } else if (quarter) {
          el("text", { "class": "grid-label", x: x(d) + 2, y: 14 }, head,
            yr + " Q" + (m / 3 + 1));
        }
      } else if (weeks && date.getUTCDay() === 1) {
        el("line", { "class": "grid-line week", x1: x(d), x2: x(d), y1: 0, y2: height }, lines);
        el("line", { "class": "grid-line week", x1: x(d), x2: x(d), y1: 20, y2: HEAD_H }, head);
        el("text", { "class": "grid-label small", x: x(d) + 2, y: 30 }, head,
          String(date.getUTCDate()));
      }
    }

    // rows: names in the sticky column, bars in the chart
    var pos = {};
    var body = el("g", { "class": "rows" }, svg);
    list.forEach(function (r, i) {
      var top = y(i);
      if (r.group) {
        var open = r.shown.length > 0;
        var part = r.shown.length && r.shown.length < r.tasks.length;
        var lab = el("text", { "class": "row-label group", x: 6, y: top + 15,
          "data-group": r.name, role: "button", tabindex: 0 }, labels);
        fit(lab, (open ? "▾ " : "▸ ") + r.name, LABEL_W - (part ? 74 : (open ? 30 : 52)));
        if (part || !open) {
          el("text", { "class": "group-count", x: LABEL_W - 20, y: top + 15,
            "text-anchor": "end" }, labels, (part ? r.shown.length + "/" : "") + r.tasks.length);
        }
        el("title", {}, lab, r.name + " — " + r.tasks.length + " activities" +
          (r.critical ? ", " + r.critical + " critical" : "") +
          (r.driving ? ", " + r.driving + " on the driving path" : "") +
          (part ? "; " + r.shown.length + " shown" : "") +
          " (click to " + (open ? "collapse" : "show all") + ")");
        if (r.critical || r.driving) {
          el("circle", { "class": "group-mark" + (r.critical ? " critical" : " driving"),
            cx: LABEL_W - 10, cy: top + ROW_H / 2, r: 4 }, labels);
        }
        el("rect", { "class": "project-bar", "data-project": r.name, x: x(day(r.start)), y: top + 8,
          width: Math.max(2, (day(r.end) + 1 - day(r.start)) * px), height: 6 }, body);
        return;
      }
      var name = el("text", { "class": "row-label" + (r.critical ? " critical" : "") +
        (r.driving ? " driving" : ""), x: 18, y: top + 15, "data-id": r.id }, labels);
      fit(name, r.id + "  " + (r.name || ""), LABEL_W - 26);
      el("title", {}, name, r.id + " " + (r.name || ""));
      var s = day(r.start), e = day(r.end) + 1;
      var cls = (r.custom_class ? " " + r.custom_class : "") + (r.driving ? " driving" : "");
      var g = el("g", { "class": "task", "data-id": r.id }, body);
      // an invisible full-row target under the bar: hovering the row shows the links
      el("rect", { "class": "hit", x: 0, y: top, width: width, height: ROW_H }, g);
      var tip = r.id + " " + r.name + "\n" + r.start + " → " + r.finish +
        " (" + r.duration_days + " d)" + (r.total_float_days !== null &&
        r.total_float_days !== undefined ? ", total float (logic) " + r.total_float_days + " d" : "") +
        (r.plan_float_days !== null && r.plan_float_days !== undefined ?
          ", plan float (leveled) " + r.plan_float_days + " d" : "") +
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
        // the work done before the data date over the bar, as P6 draws actual work
        var done = worked(r, dataDate, e);
        if (done) {
          el("rect", { "class": "bar-actual", "data-id": r.id, x: x(done[0]),
            y: top + (ROW_H - BAR_H) / 2, width: Math.max(1, (done[1] - done[0]) * px),
            height: BAR_H }, g);
          tip += "\nactual " + r.actual_start + " → " + (r.actual_finish ||
            isoOf(done[1] - 1) + " (data date " + data.data_date + ")");
        }
        pos[r.id] = { s: x(s), e: x(e), y: top + ROW_H / 2 };
      }
      el("title", {}, g, tip);
      if (state.selected === r.id) g.setAttribute("data-selected", "true");
    });

    // dependency arrows: FS end→start, SS start→start, FF end→end, SF start→end; hidden
    // until their activity is under the pointer or selected
    var arrows = el("g", { "class": "arrows" }, svg);
    data.tasks.forEach(function (t) {
      (t.links || []).forEach(function (l) {
        var p = pos[l.predecessor], q = pos[t.id];
        if (!p || !q) return;
        var fromEnd = l.type === "FS" || l.type === "FF";
        var toEnd = l.type === "FF" || l.type === "SF";
        var x1 = fromEnd ? p.e : p.s, x2 = toEnd ? q.e : q.s;
        var bend = toEnd ? Math.max(x1, x2) + 8 : Math.min(x1 + 8, x2 - 8);
        var dd = "M" + x1 + "," + p.y + " H" + bend + " V" + q.y + " H" + x2;
        var crit = t.critical && byId[l.predecessor] && byId[l.predecessor].critical;
        el("path", { "class": "arrow" + (crit ? " critical" : ""), d: dd,
          "data-from": l.predecessor, "data-to": t.id, "data-type": l.type }, arrows);
      });
    });

    // labelled vertical lines: plan finish, end of the horizon, today
    var marks = el("g", { "class": "marks" }, svg);
    // the finish label sits left of its line, the others right of theirs (left near the
    // chart's right edge), so finish and horizon labels do not run into each other
    function mark(cls, at, text, left) {
      if (at < first || at > last) return false;
      el("line", { "class": "mark " + cls, x1: x(at), x2: x(at), y1: 0, y2: height }, marks);
      el("line", { "class": "mark " + cls, x1: x(at), x2: x(at), y1: 32, y2: HEAD_H }, head);
      var end = left || x(at) > width - 150;
      el("text", { "class": "mark-label " + cls, x: x(at) + (end ? -4 : 4), y: 42,
        "text-anchor": end ? "end" : "start" }, head, text);
      return true;
    }
    if (data.finish) mark("finish", day(data.finish) + 1, "finish " + data.finish, true);
    var hShown = horizon !== null && mark("horizon", horizon, "horizon end " + data.horizon_end);
    var ddShown = dataDate !== null && mark("data-date", dataDate, "data date " + data.data_date);
    ["actual", "data-date"].forEach(function (k) {
      var item = document.querySelector('[data-legend="' + k + '"]');
      if (item) item.hidden = dataDate === null;
    });
    setText("legend-data-date", "data date " + (data.data_date || "") +
      (dataDate === null || ddShown ? "" : " (outside the chart)"));
    var today = Math.floor(Date.now() / DAY_MS);
    var shown = mark("today", today, "today");
    setText("legend-finish", data.finish ? "plan finish " + data.finish : "plan finish");
    setText("legend-horizon", data.horizon_end ? "horizon end " + data.horizon_end +
      (hShown ? "" : " (beyond the chart)") : "horizon end (unknown)");
    setText("legend-today", "today " + isoOf(today) + (shown ? "" :
      (today < first ? " (before the plan)" : " (after the plan)")));

    wire(svg, labels);
    showLinks();
    document.querySelectorAll(".zoom button").forEach(function (b) {
      b.classList.toggle("active", b.getAttribute("data-zoom") === state.zoom);
    });
    var tg = document.getElementById("toggle-groups");
    if (tg) tg.textContent = allCollapsed() ? "Expand projects" : "Collapse projects";
  }

  // [first day, exclusive end) of the work a task did before the data date, or null: a
  // complete task its actual dates, one in progress its actual start to the data date
  function worked(t, dataDate, end) {
    if (!t.actual_start || dataDate === null) return null;
    var s = day(t.actual_start);
    var e = t.actual_finish ? day(t.actual_finish) + 1 : Math.min(dataDate, end);
    return e > s ? [s, e] : null;
  }

  function setText(id, text) { var e = document.getElementById(id); if (e) e.textContent = text; }
  function allCollapsed() {
    return groups(state.data).every(function (g) { return !visible(g).length; });
  }

  // links of the hovered and the selected activity
  var hovered = null;
  function showLinks() {
    root.querySelectorAll(".arrow[data-on]").forEach(function (a) { a.removeAttribute("data-on"); });
    [hovered, state.selected].forEach(function (id) {
      if (!id) return;
      root.querySelectorAll('.arrow[data-from="' + cssEscape(id) + '"], .arrow[data-to="' +
        cssEscape(id) + '"]').forEach(function (a) { a.setAttribute("data-on", "true"); });
    });
  }
  function cssEscape(s) { return window.CSS && CSS.escape ? CSS.escape(s) : s.replace(/"/g, '\\"'); }

  function wire(svg, labels) {
    svg.addEventListener("mouseover", function (ev) {
      var g = ev.target.closest && ev.target.closest(".task");
      var id = g ? g.getAttribute("data-id") : null;
      if (id !== hovered) { hovered = id; showLinks(); }
    });
    svg.addEventListener("mouseleave", function () { hovered = null; showLinks(); });
    svg.addEventListener("click", function (ev) {
      var g = ev.target.closest && ev.target.closest(".task");
      select(g ? g.getAttribute("data-id") : null);
    });
    labels.addEventListener("click", function (ev) {
      var t = ev.target.closest && ev.target.closest("[data-group], [data-id]");
      if (!t) return;
      if (t.hasAttribute("data-group")) toggleGroup(t.getAttribute("data-group"));
      else select(t.getAttribute("data-id"));
    });
    labels.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if ((ev.key === "Enter" || ev.key === " ") && t.hasAttribute &&
          t.hasAttribute("data-group")) {
        ev.preventDefault();
        toggleGroup(t.getAttribute("data-group"));
      }
    });
  }

  function toggleGroup(name) {
    var g = groups(state.data).filter(function (x) { return x.name === name; })[0];
    if (!g) return;
    var open = visible(g).length > 0;
    state.collapsed[name] = open;
    state.expanded[name] = !open;
    keepScroll(render);
  }
  function keepScroll(fn) {
    var top = root.scrollTop, left = root.scrollLeft;
    fn();
    root.scrollTop = top; root.scrollLeft = left;
  }

  function select(id) {
    state.selected = id;
    root.querySelectorAll('.task[data-selected]').forEach(function (g) {
      g.removeAttribute("data-selected");
    });
    if (id) {
      var g = root.querySelector('.task[data-id="' + cssEscape(id) + '"]');
      if (g) g.setAttribute("data-selected", "true");
    }
    showLinks();
    var wasHidden = panel.hidden;
    showPanel(id ? byId[id] : null);
    if (state.zoom === "fit" && wasHidden !== panel.hidden) keepScroll(render); // refit
  }

  function days(n) {
    if (n === null || n === undefined) return "";
    var unit = state.data && state.data.calendar && state.data.calendar !== "calendar" ?
      " working day" : " day";
    return n + unit + (Math.abs(n) === 1 ? "" : "s");
  }

  function showPanel(t) {
    panel.textContent = "";
    if (!t) { panel.hidden = true; return; }
    panel.hidden = false;
    var close = div("panel-close", panel, "×", "button");
    close.type = "button";
    close.setAttribute("aria-label", "close");
    close.addEventListener("click", function () { select(null); });
    div("panel-id", panel, t.id);
    div("panel-name", panel, t.name || "", "h2");
    var tags = div("panel-tags", panel);
    if (t.critical) div("tag critical", tags, "critical", "span");
    if (t.driving) div("tag driving", tags, "driving path", "span");
    if (!t.critical && !t.driving) div("tag", tags, "not critical", "span");
    var dl = div("panel-facts", panel, undefined, "dl");
    function fact(k, v) {
      if (v === null || v === undefined || v === "") return;
      div("", dl, k, "dt");
      div("", dl, String(v), "dd");
    }
    fact("Project", t.project);
    fact("Sector", t.sector);
    fact("Start", t.start);
    fact("Finish", t.finish + " (last day worked)");
    fact("Duration", t.duration_days === 0 ? "0 (milestone)" : days(t.duration_days));
    if (t.progress_status && t.progress_status !== "not_started") {
      fact("Progress", t.progress_status === "complete" ? "complete" :
        "in progress, " + days(t.remaining_days) + " left at the data date");
      fact("Actual start", t.actual_start);
      fact("Actual finish", t.actual_finish);
    }
    fact("Early (ES → EF)", t.es && (t.es + " → " + t.ef));
    fact("Late (LS → LF)", t.ls && (t.ls + " → " + t.lf));
    // two floats, named apart: the logic network's (P6's) and the solved plan's
    fact("Total float (logic)", days(t.total_float_days));
    fact("Plan float (leveled)", days(t.plan_float_days));
    fact("Free float (logic)", days(t.free_float_days));
    var res = Object.keys(t.demands || {}).map(function (k) { return k + " × " + t.demands[k]; });
    fact("Resources", res.length ? res.join(", ") : "none");
    if (t.driving_links && t.driving_links.length) {
      div("panel-sub", panel, "Driving link (what fixes its start)", "h3");
      var ul = div("", panel, undefined, "ul");
      t.driving_links.forEach(function (l) {
        // a budget step is held by the cap (the detail names it and who fills it)
        div("", ul, (l.predecessor && l.kind !== "budget" ? l.predecessor + " → " : "") + l.kind +
          (l.detail ? ": " + l.detail : ""), "li");
      });
    }
    div("panel-sub", panel, "Predecessors", "h3");
    var pl = div("", panel, undefined, "ul");
    if (!t.links.length) div("muted", pl, "none", "li");
    t.links.forEach(function (l) {
      var p = byId[l.predecessor];
      var li = div("", pl, undefined, "li");
      var a = div("link", li, l.predecessor, "a");
      a.href = "#";
      a.addEventListener("click", function (ev) { ev.preventDefault(); jumpTo(l.predecessor); });
      li.appendChild(document.createTextNode(" " + l.type + (l.lag_days ? (l.lag_days > 0 ?
        " +" : " ") + l.lag_days + " d" : "") + (p ? " — " + p.name : "")));
    });
  }

  function jumpTo(id) {
    var t = byId[id];
    if (!t) return;
    var gname = t.project || "(no project)";
    state.collapsed[gname] = false;
    if (state.criticalOnly && !t.critical && !t.driving) state.expanded[gname] = true;
    render();
    select(id);
    var g = root.querySelector('.task[data-id="' + cssEscape(id) + '"] .bar, .task[data-id="' +
      cssEscape(id) + '"] .milestone');
    if (!g) return;
    var box = g.getBBox();
    root.scrollTop = Math.max(0, box.y - 3 * ROW_H);
    root.scrollLeft = Math.max(0, box.x - 80);
  }

  function show(data) {
    state.data = data;
    byId = {};
    data.tasks.forEach(function (t) { byId[t.id] = t; });
    document.title = "infraplan Gantt: " + (data.plan_name || "schedule " + scheduleId) +
      " v" + data.version;
    document.getElementById("title").textContent = (data.plan_name || "Schedule") +
      " — version " + data.version;
    var crit = data.tasks.filter(function (t) { return t.critical; }).length;
    var drv = data.tasks.filter(function (t) { return t.driving; }).length;
    document.getElementById("summary").textContent = data.tasks.length + " activities, " +
      crit + " critical, " + drv + " on the driving path · " + (data.plan_start || "") +
      " → " + (data.finish || "");
    if (data.plan_id) {
      document.getElementById("home").href = "/#/plans/" + encodeURIComponent(data.plan_id);
    }
    message.textContent = "";
    // first screen: when every row does not fit in the window, open on the critical and
    // driving paths (the other projects as summary bars; the checkbox says so)
    var fitRows = Math.floor(((root.clientHeight || 800) - HEAD_H) / ROW_H);
    var all = data.tasks.length + groups(data).length;
    var path = data.tasks.some(function (t) { return t.critical || t.driving; });
    state.criticalOnly = path && all > fitRows;
    document.getElementById("critical-only").checked = state.criticalOnly;
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

  // -- controls --------------------------------------------------------------------------
  document.querySelectorAll(".zoom button").forEach(function (b) {
    b.addEventListener("click", function () {
      state.zoom = b.getAttribute("data-zoom");
      if (!state.data) return;
      render();
      if (state.selected) { // keep the selected activity in view at the new scale
        var sel = root.querySelector('.task[data-selected] .bar, .task[data-selected] .milestone');
        if (sel) {
          var box = sel.getBBox();
          root.scrollTop = Math.max(0, box.y - 3 * ROW_H);
          root.scrollLeft = Math.max(0, box.x - 80);
        }
      }
    });
  });
  function on(id, ev, fn) { var e = document.getElementById(id); if (e) e.addEventListener(ev, fn); }
  on("critical-only", "change", function (ev) {
    state.criticalOnly = ev.target.checked;
    state.collapsed = {};
    state.expanded = {};
    if (state.data) render();
  });
  on("jump-critical", "click", function () {
    if (!state.data) return;
    var first = null;
    groups(state.data).some(function (g) {
      return g.tasks.some(function (t) {
        if (t.critical || t.driving) { first = t; return true; }
        return false;
      });
    });
    if (first) jumpTo(first.id);
  });
  on("toggle-groups", "click", function () {
    if (!state.data) return;
    var collapse = !allCollapsed();
    groups(state.data).forEach(function (g) {
      state.collapsed[g.name] = collapse;
      state.expanded[g.name] = !collapse;
    });
    render();
  });
  on("print", "click", function () { window.print(); });
  // print: the whole plan on the sheet's width, every project open, no panel
  var saved = null;
  window.addEventListener("beforeprint", function () {
    if (!state.data) return;
    saved = { zoom: state.zoom, width: state.width };
    state.zoom = "fit"; state.width = PRINT_W;
    render();
  });
  window.addEventListener("afterprint", function () {
    if (!state.data || !saved) return;
    state.zoom = saved.zoom; state.width = saved.width;
    saved = null;
    render();
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    if (!state.data || state.zoom !== "fit") return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { keepScroll(render); }, 120);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && state.selected) select(null);
  });

  // -- data --------------------------------------------------------------------------------
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
