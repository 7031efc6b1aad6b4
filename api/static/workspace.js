/*
 * infraplan workspace: plans, upload with the validation result, solve with live
 * progress, versions side by side, downloads, and the way to the Gantt.
 *
 * Plain DOM, no libraries, nothing fetched from elsewhere. Every call is one of the
 * JSON endpoints with the X-API-Key header. The key is typed once (or handed over in a
 * "#key=..." fragment, read and then removed from the address bar) and kept in
 * sessionStorage for this tab only. Views by address fragment:
 *   #/              plans and the upload zone
 *   #/plans/ID      one plan: solve form, progress, versions, downloads
 */
(function () {
  "use strict";
  var KEY = "infraplan-key";
  var main = document.getElementById("view");
  var keyView = document.getElementById("key-view");
  var crumbs = document.getElementById("crumbs");
  var poller = null;
  var lastUpload = null; // { file, workbook promise } of the last dropped workbook
  var openapi = null;

  // -- small helpers ----------------------------------------------------------------------
  function h(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = v;
        else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? "" : v);
      }
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === "string" || typeof c === "number" ?
        document.createTextNode(String(c)) : c);
    });
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function fmtTime(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    function p(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " +
      p(d.getHours()) + ":" + p(d.getMinutes());
  }
  function fmtNum(x, digits) {
    if (x === null || x === undefined || x === "") return "—";
    if (typeof x !== "number") return String(x);
    return Number.isInteger(x) ? String(x) : x.toFixed(digits === undefined ? 1 : digits);
  }
  function fmtGap(g) { return g === null || g === undefined ? "—" : (100 * g).toFixed(1) + " %"; }
  function fmtBytes(n) {
    return n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(0) + " kB" :
      (n / 1048576).toFixed(1) + " MB";
  }
  function toast(text, bad) {
    var t = document.getElementById("toast");
    t.textContent = text;
    t.className = "toast" + (bad ? " bad" : "");
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { t.hidden = true; }, bad ? 8000 : 4000);
  }
  function detailText(body, status) {
    if (!body) return "HTTP " + status;
    var d = body.detail;
    if (typeof d === "string") return d;
    if (Array.isArray(d)) {
      return d.map(function (e) {
        var loc = (e.loc || []).filter(function (x) { return x !== "body"; }).join(".");
        return (loc ? loc + ": " : "") + (e.msg || JSON.stringify(e));
      }).join("; ");
    }
    return "HTTP " + status;
  }

  // -- the key ----------------------------------------------------------------------------
  function getKey() { try { return sessionStorage.getItem(KEY); } catch (e) { return null; } }
  function setKey(k) { try { sessionStorage.setItem(KEY, k); } catch (e) { /* private mode */ } }
  function forgetKey() { try { sessionStorage.removeItem(KEY); } catch (e) { /* ignore */ } }
  function takeKeyFromHash() {
    var m = /(?:^#|[#&])key=([^&]*)/.exec(location.hash);
    if (!m) return;
    if (m[1]) setKey(decodeURIComponent(m[1]));
    // the key must not stay in the address bar (nor in bookmarks, history or screenshots)
    var rest = location.hash.replace(/(^#|&)key=[^&]*/, "$1").replace(/^#&/, "#")
      .replace("&&", "&").replace(/&$/, "");
    history.replaceState(null, "", location.pathname + location.search +
      (rest === "#" ? "" : rest));
  }

  // -- the API ----------------------------------------------------------------------------
  function api(method, path, opts) {
    opts = opts || {};
    var headers = { "X-API-Key": getKey() || "" };
    var body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      body = opts.form;
    }
    return fetch(path, { method: method, headers: headers, body: body, cache: "no-store" })
      .then(function (r) {
        var type = r.headers.get("content-type") || "";
        var read = opts.blob ? r.blob() :
          (type.indexOf("json") >= 0 ? r.json().catch(function () { return null; }) : r.text());
        return read.then(function (b) {
          var res = { ok: r.ok, status: r.status, body: b, headers: r.headers };
          if (r.status === 401) { forgetKey(); showKeyView(detailText(b, r.status)); }
          return res;
        });
      }, function (err) {
        return { ok: false, status: 0, body: { detail: "the server cannot be reached (" +
          err.message + ")" }, headers: new Headers() };
      });
  }
  function filenameOf(headers, fallback) {
    var cd = headers.get("content-disposition") || "";
    var m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (m) { try { return decodeURIComponent(m[1]); } catch (e) { /* fall through */ } }
    m = /filename="?([^";]+)"?/i.exec(cd);
    return m ? m[1] : fallback;
  }
  function download(path, fallback, button) {
    if (button) button.disabled = true;
    return api("GET", path, { blob: true }).then(function (res) {
      if (button) button.disabled = false;
      if (!res.ok) {
        res.body.text().then(function (t) {
          var b = null;
          try { b = JSON.parse(t); } catch (e) { b = null; }
          toast("Download failed: " + detailText(b, res.status), true);
        });
        return;
      }
      var name = filenameOf(res.headers, fallback);
      var url = URL.createObjectURL(res.body);
      var a = h("a", { href: url, download: name, hidden: true });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 2000);
      toast("Downloaded " + name);
    });
  }
  function downloadJson(sid, name, button) {
    // GET /schedules/{id} answers JSON: saved as it is
    return download("/schedules/" + sid, name, button);
  }

  // -- layout -----------------------------------------------------------------------------
  function showKeyView(error) {
    stopPolling();
    main.hidden = true;
    keyView.hidden = false;
    document.getElementById("who").hidden = true;
    document.getElementById("key-error").textContent = error || "";
    setCrumbs([]);
    document.getElementById("key-input").focus();
  }
  function setCrumbs(list) {
    clear(crumbs);
    list.forEach(function (c, i) {
      if (i) crumbs.appendChild(h("span", { class: "sep", text: "›" }));
      crumbs.appendChild(c.href ? h("a", { href: c.href, text: c.text }) :
        h("span", { text: c.text }));
    });
  }
  function showWho() {
    var k = getKey() || "";
    document.getElementById("who-key").textContent = "key " + k.slice(0, 10) + "…";
    document.getElementById("who").hidden = false;
  }
  function stopPolling() { if (poller) { clearTimeout(poller); poller = null; } }

  function route() {
    stopPolling();
    takeKeyFromHash();
    if (!getKey()) { showKeyView(""); return; }
    keyView.hidden = true;
    main.hidden = false;
    showWho();
    var path = location.hash.replace(/^#/, "") || "/";
    var m = /^\/plans\/(\d+)/.exec(path);
    if (m) planView(+m[1]);
    else plansView();
  }

  // -- plans list and upload ---------------------------------------------------------------
  function plansView() {
    setCrumbs([{ text: "Plans" }]);
    document.title = "infraplan — plans";
    clear(main);
    var result = h("section", { id: "upload-result", class: "result", hidden: true });
    var input = h("input", { type: "file", id: "file-input", accept: ".xlsx,.xml,.xer,.sm,.mpp",
      class: "visually-hidden" });
    var zone = h("label", { id: "drop-zone", class: "drop", for: "file-input" }, [
      h("strong", { text: "Drop a plan workbook here" }),
      h("span", { text: " or click to choose a file (.xlsx; also P6 .xer, MS Project .xml, " +
        "PSPLIB .sm)" }),
    ]);
    var name = h("input", { type: "text", id: "plan-name", placeholder: "plan name (optional: " +
      "default from the Settings sheet)", maxlength: 500 });
    input.addEventListener("change", function () {
      if (input.files && input.files[0]) upload(input.files[0], name.value, result);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      var f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (f) upload(f, name.value, result);
    });
    var list = h("section", { class: "card", id: "plans-card" }, [h("h2", { text: "Plans" }),
      h("p", { class: "muted", id: "plans-loading", text: "Loading…" })]);
    main.appendChild(h("section", { class: "card" }, [
      h("h2", { text: "Upload a plan" }), zone, input, h("div", { class: "row" }, [name]),
    ]));
    main.appendChild(result);
    main.appendChild(list);
    loadPlans(list);
  }

  // the plans table; called again after each upload so the new plan shows at once
  function loadPlans(list) {
    var old = document.getElementById("plans-table") || document.getElementById("plans-none");
    if (old) old.remove();
    api("GET", "/plans?limit=200").then(function (res) {
      var loading = document.getElementById("plans-loading");
      if (!res.ok) { if (loading) loading.textContent = detailText(res.body, res.status); return; }
      if (loading) loading.remove();
      if (!res.body.length) {
        list.appendChild(h("p", { class: "muted", id: "plans-none",
          text: "No plans yet: upload a workbook above." }));
        return;
      }
      var tbody = h("tbody");
      res.body.forEach(function (p) {
        tbody.appendChild(h("tr", {}, [
          h("td", { class: "num", text: p.id }),
          h("td", {}, [h("a", { href: "#/plans/" + p.id, class: "plan-link", text: p.name })]),
          h("td", { class: "num", text: p.activity_count }),
          h("td", { text: p.filename || p.source_format }),
          h("td", { text: p.issues.length ? p.issues.length + " warning" +
            (p.issues.length > 1 ? "s" : "") : "none" }),
          h("td", { text: fmtTime(p.created_at) }),
        ]));
      });
      list.appendChild(h("table", { class: "grid", id: "plans-table" }, [
        h("thead", {}, [h("tr", {}, ["#", "Plan", "Activities", "File", "Warnings",
          "Uploaded"].map(function (t) { return h("th", { text: t }); }))]), tbody]));
    });
  }

  function upload(file, name, result) {
    var isXlsx = /\.xlsx$/i.test(file.name);
    lastUpload = { file: file, workbook: null };
    if (isXlsx && window.InfraplanXlsx && file.size < 50 * 1048576) {
      lastUpload.workbook = window.InfraplanXlsx.open(file).catch(function () { return null; });
    }
    result.hidden = false;
    clear(result).className = "result card";
    result.appendChild(h("p", { class: "muted", text: "Uploading " + file.name + " (" +
      fmtBytes(file.size) + ") and checking it…" }));
    var form = new FormData();
    form.append("file", file, file.name);
    if (name) form.append("name", name);
    api("POST", "/plans", { form: form }).then(function (res) {
      clear(result);
      if (res.ok) {
        var p = res.body;
        result.className = "result card ok";
        result.appendChild(h("h2", { text: "✓ " + file.name + " is valid" }));
        result.appendChild(h("p", {}, [p.activity_count + " activities stored as plan ",
          h("a", { href: "#/plans/" + p.id, text: "#" + p.id + " " + p.name }), ". ",
          p.issues.length ? p.issues.length + " warning(s) below; nothing blocks solving." :
            "No warnings."]));
        if (p.issues.length) result.appendChild(issueTable(p.issues, "warning"));
        result.appendChild(h("p", {}, [h("a", { class: "button primary", id: "open-plan",
          href: "#/plans/" + p.id, text: "Open the plan to solve it →" })]));
        var list = document.getElementById("plans-card");
        if (list) loadPlans(list);
        return;
      }
      result.className = "result card bad";
      var issues = (res.body && res.body.issues) || [];
      var errors = issues.filter(function (i) { return i.severity !== "warning"; }).length;
      result.appendChild(h("h2", { text: "✗ " + file.name + " cannot be used yet" }));
      result.appendChild(h("p", { class: "lead", text: issues.length ?
        errors + " problem" + (errors === 1 ? "" : "s") + " to fix in the workbook" +
        (issues.length > errors ? " (and " + (issues.length - errors) + " warnings)" : "") +
        ". Click a place to see it in the sheet; fix the file and drop it again." :
        detailText(res.body, res.status) }));
      if (issues.length) {
        var preview = h("div", { id: "preview", class: "preview", hidden: true });
        result.appendChild(issueTable(issues, null, preview));
        result.appendChild(preview);
      }
    });
  }

  // The validation result: one row per issue, each place a link to the cell in the preview.
  function issueTable(issues, kind, preview) {
    var tbody = h("tbody");
    issues.forEach(function (is, i) {
      var where = (is.sheet || "") + (is.row ? " row " + is.row : "") +
        (is.column ? ", " + is.column : "");
      var place = is.sheet ? h("a", { href: "#", class: "place", "data-issue": i,
        text: where || "(whole file)" }) : h("span", { text: "(whole file)" });
      if (is.sheet && preview) {
        place.addEventListener("click", function (ev) {
          ev.preventDefault();
          showPlace(is, preview, place);
        });
      } else if (!preview) {
        place = h("span", { text: where || "(whole file)" });
      }
      tbody.appendChild(h("tr", { class: is.severity === "warning" ? "warn" : "err" }, [
        h("td", { text: is.severity === "warning" ? "warning" : "error" }),
        h("td", { text: is.sheet || "" }),
        h("td", { class: "num", text: is.row === null || is.row === undefined ? "" : is.row }),
        h("td", { text: is.column || "" }),
        h("td", { class: "msg", text: is.message }),
        h("td", {}, [place]),
      ]));
    });
    var table = h("table", { class: "grid issues", id: kind === "warning" ? "warning-table" :
      "issue-table" }, [h("thead", {}, [h("tr", {}, ["", "Sheet", "Row", "Column", "Message",
      "Place"].map(function (t) { return h("th", { text: t }); }))]), tbody]);
    // name each place as Excel does (Activities!G7) once the dropped workbook is read
    var wbp = preview && lastUpload && lastUpload.workbook;
    if (wbp) {
      wbp.then(function (wb) {
        if (!wb) return;
        table.querySelectorAll("a.place").forEach(function (a) {
          var is = issues[+a.getAttribute("data-issue")];
          if (!is.row || wb.sheetNames.indexOf(is.sheet) < 0) return;
          wb.columnOf(is.sheet, is.column).then(function (c) {
            a.textContent = is.sheet + "!" + (c >= 0 ? wb.colName(c) : "") + is.row +
              (c >= 0 ? "" : " (row)");
          });
        });
      });
    }
    return table;
  }

  function showPlace(issue, preview, link) {
    preview.hidden = false;
    clear(preview).appendChild(h("p", { class: "muted", text: "Opening " + issue.sheet + "…" }));
    document.querySelectorAll("a.place.current").forEach(function (a) {
      a.classList.remove("current");
    });
    link.classList.add("current");
    var wbp = lastUpload && lastUpload.workbook;
    if (!wbp) {
      clear(preview).appendChild(h("p", { class: "muted", text: "Open the file in Excel at " +
        "sheet “" + issue.sheet + "”" + (issue.row ? ", row " + issue.row : "") +
        (issue.column ? ", column “" + issue.column + "”" : "") + "." }));
      return;
    }
    wbp.then(function (wb) {
      if (!wb || wb.sheetNames.indexOf(issue.sheet) < 0) {
        clear(preview).appendChild(h("p", { class: "muted", text: "Sheet “" + issue.sheet +
          "” is not in the file" + (wb ? " (sheets: " + wb.sheetNames.join(", ") + ")" : "") +
          "." }));
        return null;
      }
      return Promise.all([wb.sheet(issue.sheet), wb.columnOf(issue.sheet, issue.column)])
        .then(function (r) { renderSheet(preview, issue, r[0], r[1], wb); });
    }).catch(function (err) {
      clear(preview).appendChild(h("p", { class: "error", text: "Cannot show the sheet: " +
        err.message }));
    });
  }

  function renderSheet(preview, issue, sheet, col, wb) {
    clear(preview);
    var target = issue.row ? issue.row - 1 : 0;
    var from = Math.max(1, target - 6), to = Math.min(Math.max(sheet.rows.length, target + 1),
      target + 7);
    var ncol = Math.min(Math.max(sheet.maxCol, col + 1), 26);
    var cell = (col >= 0 ? wb.colName(col) : "") + (issue.row || "");
    preview.appendChild(h("h3", {}, [issue.sheet + (cell ? "!" + cell : ""),
      h("span", { class: "muted", text: " — " + issue.message })]));
    var head = h("tr", {}, [h("th", { class: "rowhead", text: "" })]);
    for (var c = 0; c < ncol; c++) {
      head.appendChild(h("th", { class: c === col ? "hit" : "", text: wb.colName(c) }));
    }
    var tbody = h("tbody");
    function addRow(ri) {
      var r = sheet.rows[ri] || [];
      var tr = h("tr", { class: ri === target && issue.row ? "hit-row" : (ri === 0 ? "header" :
        "") }, [h("th", { class: "rowhead", text: ri + 1 })]);
      for (var c2 = 0; c2 < ncol; c2++) {
        var v = r[c2] === undefined ? "" : String(r[c2]);
        tr.appendChild(h("td", { class: ri === target && c2 === col && issue.row ? "hit-cell" :
          (c2 === col ? "hit-col" : ""), title: v, text: v.length > 40 ? v.slice(0, 39) + "…" :
          v }));
      }
      tbody.appendChild(tr);
    }
    addRow(0); // the header row, always
    if (from > 1) {
      tbody.appendChild(h("tr", { class: "gap" }, [h("td", { colspan: ncol + 1, text: "⋮" })]));
    }
    for (var ri = from; ri < to; ri++) addRow(ri);
    preview.appendChild(h("div", { class: "sheet-wrap" }, [h("table", { class: "sheet" },
      [h("thead", {}, [head]), tbody])]));
    var hit = preview.querySelector(".hit-cell") || preview.querySelector(".hit-row");
    if (hit && hit.scrollIntoView) hit.scrollIntoView({ block: "nearest", inline: "nearest" });
    preview.scrollIntoView({ block: "nearest" });
  }

  // -- one plan ---------------------------------------------------------------------------
  function planView(id) {
    clear(main);
    setCrumbs([{ text: "Plans", href: "#/" }, { text: "Plan " + id }]);
    main.appendChild(h("p", { class: "muted", text: "Loading plan " + id + "…" }));
    Promise.all([api("GET", "/plans/" + id), api("GET", "/plans/" + id + "/versions"),
      loadOpenapi()]).then(function (r) {
      var plan = r[0], versions = r[1];
      clear(main);
      if (!plan.ok) {
        main.appendChild(h("section", { class: "card bad" }, [h("h2", { text: "Plan " + id }),
          h("p", { text: detailText(plan.body, plan.status) }), h("a", { href: "#/",
          text: "← all plans" })]));
        return;
      }
      var p = plan.body;
      document.title = "infraplan — " + p.name;
      setCrumbs([{ text: "Plans", href: "#/" }, { text: p.name }]);
      var info = h("section", { class: "card plan-head" }, [
        h("h1", { id: "plan-title", text: p.name }),
        h("p", { class: "facts" }, [
          h("span", { text: p.activity_count + " activities" }),
          h("span", { text: (p.filename || p.source_format) + " · " + fmtBytes(p.size_bytes) }),
          h("span", { text: "uploaded " + fmtTime(p.created_at) }),
          h("button", { type: "button", class: "link-button", id: "download-upload",
            text: "⤓ original upload", onclick: function (ev) {
              download("/plans/" + id + "/upload", p.filename || "plan-" + id, ev.target);
            } }),
        ]),
      ]);
      main.appendChild(info);
      if (p.issues.length) {
        var det = h("details", { class: "card" }, [h("summary", { text: p.issues.length +
          " validation warning" + (p.issues.length > 1 ? "s" : "") +
          " (nothing blocking)" }), issueTable(p.issues, "warning")]);
        main.appendChild(det);
      }
      var list = versions.ok ? versions.body : [];
      main.appendChild(solveCard(p, list));
      main.appendChild(versionsCard(p, list));
      var active = list.filter(function (v) {
        return v.status === "queued" || v.status === "running"; })[0];
      if (active) watch(p, active.id, active.version);
    });
  }

  function loadOpenapi() {
    if (openapi) return Promise.resolve(openapi);
    return fetch("/openapi.json").then(function (r) { return r.json(); }).then(function (o) {
      openapi = o;
      return o;
    }).catch(function () { openapi = {}; return openapi; });
  }
  function solveSchema() {
    var s = openapi && openapi.components && openapi.components.schemas &&
      openapi.components.schemas.ScheduleCreate;
    return (s && s.properties) || {};
  }
  function numberBranch(prop) {
    var list = (prop && (prop.anyOf || [prop])) || [];
    for (var i = 0; i < list.length; i++) if (list[i].type === "number") return list[i];
    return {};
  }

  function solveCard(plan, versions) {
    var props = solveSchema();
    var tl = numberBranch(props.time_limit_s);
    var card = h("section", { class: "card", id: "solve-card" }, [h("h2", { text: "Solve" })]);
    var limit = h("input", { type: "number", id: "time-limit", min: 1, step: 1,
      max: tl.maximum || null, placeholder: "server default" });
    var objective = h("select", { id: "objective" }, [
      h("option", { value: "", text: "the plan's (Settings sheet)" }),
      h("option", { value: "makespan", text: "makespan — earliest finish" }),
      h("option", { value: "weighted_completion", text: "weighted completion — important " +
        "projects early" }),
      h("option", { value: "tardiness", text: "tardiness — meet due dates" }),
      h("option", { value: "stability", text: "stability — move the least from the " +
        "baseline (needs one)" }),
    ]);
    var fields = [
      h("label", {}, ["Time limit, seconds" + (tl.maximum ? " (at most " + tl.maximum + ")" :
        ""), limit]),
      h("label", {}, ["Objective", objective]),
    ];
    // a baseline option, when the server offers one: the solved versions to keep close to
    var baselineName = Object.keys(props).filter(function (k) { return /baseline/.test(k); })[0];
    var baseline = null;
    if (baselineName) {
      baseline = h("select", { id: "baseline" }, [h("option", { value: "", text: "none" })]
        .concat(versions.filter(function (v) { return v.status === "optimal" ||
          v.status === "feasible"; }).map(function (v) {
          return h("option", { value: /version/.test(baselineName) ? v.version : v.id,
            text: "version " + v.version + " (finish " + (v.finish || "?") + ")" });
        })));
      fields.push(h("label", {}, ["Baseline", baseline]));
    }
    var go = h("button", { type: "submit", class: "primary", id: "solve-button",
      text: "Solve a new version" });
    var form = h("form", { class: "solve-form", id: "solve-form" }, fields.concat([go]));
    var progress = h("div", { id: "progress", class: "progress", hidden: true });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {};
      if (limit.value) body.time_limit_s = +limit.value;
      if (objective.value) body.objective = objective.value;
      if (baseline && baseline.value) body[baselineName] = +baseline.value;
      go.disabled = true;
      api("POST", "/plans/" + plan.id + "/schedules", { json: body }).then(function (res) {
        go.disabled = false;
        if (!res.ok) { toast("Cannot solve: " + detailText(res.body, res.status), true); return; }
        watch(plan, res.body.id, res.body.version);
        refreshVersions(plan);
      });
    });
    card.appendChild(form);
    card.appendChild(progress);
    return card;
  }

  // Live progress: poll GET /schedules/{id}; objective and bound over time as an SVG chart.
  function watch(plan, sid, version) {
    stopPolling();
    var box = document.getElementById("progress");
    var go = document.getElementById("solve-button");
    if (!box) return;
    box.hidden = false;
    clear(box);
    var status = h("p", { class: "status", id: "progress-status", text: "Version " + version +
      " queued…" });
    var chart = h("div", { class: "chart", id: "progress-chart" });
    var cancel = h("button", { type: "button", id: "cancel-solve", text: "Cancel",
      onclick: function () {
        cancel.disabled = true;
        api("DELETE", "/schedules/" + sid).then(function (res) {
          if (!res.ok) toast(detailText(res.body, res.status), true);
        });
      } });
    box.appendChild(h("div", { class: "progress-head" }, [status, cancel]));
    box.appendChild(chart);
    if (go) go.disabled = true;
    var points = [];
    function tick() {
      api("GET", "/schedules/" + sid).then(function (res) {
        if (!res.ok) {
          status.textContent = "Cannot follow the solve: " + detailText(res.body, res.status);
          poller = setTimeout(tick, 2000);
          return;
        }
        var s = res.body, pr = s.progress || {};
        if (pr.elapsed_s !== null && pr.elapsed_s !== undefined &&
            (pr.objective !== null || pr.bound !== null)) {
          var last = points[points.length - 1];
          if (!last || last.t !== pr.elapsed_s) {
            points.push({ t: pr.elapsed_s, obj: pr.objective, bound: pr.bound });
          }
        }
        var limit = (s.options && s.options.time_limit_s) || null;
        // the best values hold until the next is found: draw them up to the time now
        var now = s.started_at && s.status === "running" ?
          (Date.now() - Date.parse(s.started_at)) / 1000 : (pr.elapsed_s || 0);
        if (limit) now = Math.min(now, limit);
        drawChart(chart, points, limit, Math.max(now, pr.elapsed_s || 0));
        var gap = pr.objective && pr.bound !== null && pr.bound !== undefined ?
          Math.abs(pr.objective - pr.bound) / Math.max(1e-9, Math.abs(pr.objective)) : null;
        var line = "Version " + version + ": " + s.status;
        if (pr.objective !== null && pr.objective !== undefined) {
          line += " · best " + fmtNum(pr.objective) + " · bound " + fmtNum(pr.bound) +
            " · gap " + fmtGap(gap);
        }
        var spent = Math.max(now, pr.elapsed_s || 0);
        if (spent) line += " · " + fmtNum(spent, 0) + " s" +
          (limit ? " of " + fmtNum(limit) + " s" : "");
        status.textContent = line;
        status.setAttribute("data-status", s.status);
        if (s.status === "queued" || s.status === "running") {
          poller = setTimeout(tick, 500);
          return;
        }
        poller = null;
        cancel.remove();
        if (go) go.disabled = false;
        var doc = s.document || {};
        if (s.status === "optimal" || s.status === "feasible") {
          status.textContent = "Version " + version + " " + s.status + ": finish " + doc.finish +
            " (" + doc.makespan_days + " days), gap " + fmtGap(doc.gap) + ", " +
            fmtNum(doc.solve_seconds) + " s.";
          status.appendChild(document.createTextNode(" "));
          status.appendChild(h("a", { href: "/schedules/" + sid + "/gantt.html",
            id: "open-gantt", text: "Open the Gantt →" }));
        } else {
          status.textContent = "Version " + version + " " + s.status +
            (s.reason ? ": " + s.reason : "") + ".";
          (doc.conflicts || []).slice(0, 10).forEach(function (c) {
            box.appendChild(h("p", { class: "error", text: c.kind + ": " + c.message }));
          });
          (doc.issues || []).slice(0, 10).forEach(function (i) {
            box.appendChild(h("p", { class: "error", text: (i.sheet ? i.sheet + " row " + i.row +
              ": " : "") + i.message }));
          });
        }
        refreshVersions(plan);
      });
    }
    tick();
  }

  function niceStep(raw) { // 1, 2 or 5 times a power of ten, at least raw
    var p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-6))));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function drawChart(box, points, limit, now) {
    var NS = "http://www.w3.org/2000/svg", W = 620, H = 180, L = 52, R = 12, T = 8, B = 24;
    function s(name, attrs, parent, text) {
      var e = document.createElementNS(NS, name);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (text !== undefined) e.textContent = text;
      parent.appendChild(e);
      return e;
    }
    clear(box);
    var svg = s("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "objective and bound over time" }, box);
    var vals = [];
    points.forEach(function (p) {
      if (p.obj !== null && p.obj !== undefined) vals.push(p.obj);
      if (p.bound !== null && p.bound !== undefined) vals.push(p.bound);
    });
    var tmax = Math.max(limit || 0, now || 0, points.length ? points[points.length - 1].t : 0, 1);
    var lo = vals.length ? Math.min.apply(null, vals) : 0, hi = vals.length ?
      Math.max.apply(null, vals) : 1;
    if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
    var pad = (hi - lo) * 0.08; lo -= pad; hi += pad;
    function X(t) { return L + (W - L - R) * t / tmax; }
    function Y(v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); }
    s("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "plot" }, svg);
    var digits = hi - lo < 8 ? 1 : 0;
    for (var i = 0; i <= 4; i++) {
      var v = lo + (hi - lo) * i / 4, yy = Y(v);
      s("line", { x1: L, x2: W - R, y1: yy, y2: yy, class: "tick" }, svg);
      if (vals.length) {
        s("text", { x: L - 4, y: yy + 4, "text-anchor": "end", class: "axis" }, svg,
          v.toFixed(digits));
      }
    }
    var step = niceStep(tmax / 4);
    for (var t = 0; t <= tmax + 1e-9; t += step) {
      s("text", { x: X(t), y: H - 8, "text-anchor": "middle", class: "axis" }, svg,
        (step < 1 ? t.toFixed(1) : t.toFixed(0)) + " s");
    }
    function line(key, cls) {
      var d = "";
      points.forEach(function (p, k) {
        var val = p[key];
        if (val === null || val === undefined) return;
        // a step line: a best value holds until the next one is found
        if (d) d += " H" + X(p.t).toFixed(1) + " V" + Y(val).toFixed(1);
        else d = "M" + X(p.t).toFixed(1) + "," + Y(val).toFixed(1);
        if (k === points.length - 1) d += " H" + X(Math.max(p.t, now || 0)).toFixed(1);
      });
      if (d) s("path", { d: d, class: "series " + cls, "data-series": key }, svg);
      points.forEach(function (p) { // each value as it arrived
        if (p[key] !== null && p[key] !== undefined) {
          s("circle", { cx: X(p.t), cy: Y(p[key]), r: 3, class: "dot " + cls }, svg);
        }
      });
    }
    line("bound", "bound");
    line("obj", "objective");
    box.appendChild(h("p", { class: "chart-legend" }, [
      h("span", { class: "key objective" }), "best plan found (objective) ",
      h("span", { class: "key bound" }), "proven bound: no plan can do better"]));
    if (!points.length) {
      s("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "axis" }, svg,
        "waiting for the first solution…");
    }
  }

  function refreshVersions(plan) {
    api("GET", "/plans/" + plan.id + "/versions").then(function (res) {
      var old = document.getElementById("versions-card");
      if (!res.ok || !old) return;
      old.replaceWith(versionsCard(plan, res.body));
    });
  }

  // The versions side by side: one column per version, newest on the right.
  function versionsCard(plan, versions) {
    var card = h("section", { class: "card", id: "versions-card" }, [h("h2", {
      text: "Versions" })]);
    if (!versions.length) {
      card.appendChild(h("p", { class: "muted", text: "Not solved yet." }));
      return card;
    }
    var shown = versions.slice(-8);
    if (versions.length > shown.length) {
      card.appendChild(h("p", { class: "muted", text: "The last " + shown.length + " of " +
        versions.length + " versions." }));
    }
    var solved = shown.filter(function (v) { return v.finish; });
    var best = solved.length ? solved.map(function (v) { return v.finish; }).sort()[0] : null;
    function row(label, fn, cls) {
      return h("tr", { class: cls || "" }, [h("th", { text: label })].concat(shown.map(
        function (v, i) {
          var c = fn(v, i);
          return h("td", { class: "v-" + v.version }, [c === null || c === undefined ? "—" : c]);
        })));
    }
    function prevFinish(i) {
      for (var k = i - 1; k >= 0; k--) if (shown[k].finish) return shown[k].finish;
      return null;
    }
    function days(a, b) { return Math.round((Date.parse(a) - Date.parse(b)) / 86400000); }
    var tbody = h("tbody", {}, [
      row("Status", function (v) {
        return h("span", { class: "status-tag " + v.status, text: v.status }); }),
      row("Finish", function (v, i) {
        if (!v.finish) return null;
        var p = prevFinish(i), d = p ? days(v.finish, p) : 0;
        return h("span", { class: v.finish === best ? "best" : "" }, [v.finish, d ?
          h("small", { class: d < 0 ? "better" : "worse", text: " (" + (d > 0 ? "+" : "") + d +
            " d)" }) : null]);
      }, "finish"),
      row("Makespan", function (v) { return v.makespan_days === null ? null :
        v.makespan_days + " d"; }),
      row("Gap to bound", function (v) { return v.gap === null ? null : fmtGap(v.gap); }),
      row("Objective", function (v) { return (v.objective_kind || "the plan's") +
        (v.objective !== null && v.objective !== undefined ? " = " + fmtNum(v.objective) : ""); }),
      row("Time limit / used", function (v) {
        var used = v.solve_seconds === null || v.solve_seconds === undefined ? "—" :
          fmtNum(v.solve_seconds) + " s";
        return fmtNum(v.options && v.options.time_limit_s) + " s / " + used; }),
      row("Solved by", function (v) {
        var w = v.created_by;
        return w ? (w.name || "key " + w.prefix + "…") + " (" + w.role + ")" : null; }),
      row("Asked at", function (v) { return fmtTime(v.created_at); }),
      row("Note", function (v) { return v.reason || null; }),
      row("Open", function (v) {
        return v.finish ? h("span", {}, [h("a", { href: "/schedules/" + v.id + "/gantt.html",
          class: "gantt-link", "data-version": v.version, text: "Gantt" }), " · ",
          h("a", { href: "/schedules/" + v.id + "/risk.html", class: "risk-link",
            "data-version": v.version, text: "Risk" })]) : null; }),
      row("Download", function (v) {
        if (v.status === "queued" || v.status === "running") return null;
        var base = (plan.name || "plan") + "-v" + v.version;
        var items = [];
        if (v.has_report) {
          items.push(h("button", { type: "button", class: "link-button", "data-download":
            "report", text: "report (.xlsx)", onclick: function (ev) {
              download("/schedules/" + v.id + "/report.xlsx", base + ".xlsx", ev.target); } }));
        }
        items.push(h("button", { type: "button", class: "link-button", "data-download": "json",
          text: "JSON", onclick: function (ev) {
            downloadJson(v.id, base + ".json", ev.target); } }));
        if (v.finish) {
          items.push(h("button", { type: "button", class: "link-button", "data-download":
            "mspdi", text: "MS Project XML", onclick: function (ev) {
              download("/schedules/" + v.id + "/mspdi.xml", base + ".xml", ev.target); } }));
        }
        return h("span", { class: "downloads" }, items);
      }),
    ]);
    var head = h("tr", {}, [h("th", { text: "" })].concat(shown.map(function (v) {
      return h("th", { text: "v" + v.version }); })));
    card.appendChild(h("div", { class: "table-wrap" }, [h("table", { class: "grid versions",
      id: "versions-table" }, [h("thead", {}, [head]), tbody])]));
    return card;
  }

  // -- start --------------------------------------------------------------------------------
  document.getElementById("key-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var k = document.getElementById("key-input").value.trim();
    if (!k) return;
    setKey(k);
    document.getElementById("key-input").value = "";
    api("GET", "/plans?limit=1").then(function (res) {
      if (res.ok) route();
      else if (res.status !== 401) showKeyView(detailText(res.body, res.status));
    });
  });
  document.getElementById("forget-key").addEventListener("click", function () {
    forgetKey();
    showKeyView("The key is forgotten in this tab.");
  });
  window.addEventListener("hashchange", route);
  route();
})();
