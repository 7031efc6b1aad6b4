/*
 * infraplan workbook preview: reads a dropped .xlsx in the browser (nothing is sent
 * anywhere) so that each validation issue can open its sheet at its row and column.
 *
 * window.InfraplanXlsx.open(file) → Promise of a workbook with
 *   sheetNames: [names in workbook order]
 *   sheet(name) → Promise of { rows: [[cell text, ...] by row (row 1 first)], maxCol }
 *   columnOf(name, header) → Promise of the 0-based column whose row-1 header is `header`
 *
 * A .xlsx is a zip: the central directory is read, each part is inflated with the
 * browser's DecompressionStream("deflate-raw"), and the XML is read with DOMParser.
 * Date cells (by their number format) are shown as YYYY-MM-DD. Bounded: parts over
 * 64 MB unpacked are not read, at most MAX_ROWS rows per sheet are kept.
 */
(function () {
  "use strict";
  var MAX_PART = 64 * 1024 * 1024, MAX_ROWS = 200000;

  function u16(v, o) { return v.getUint16(o, true); }
  function u32(v, o) { return v.getUint32(o, true); }

  function entries(buf) {
    var v = new DataView(buf), end = -1;
    for (var i = buf.byteLength - 22; i >= Math.max(0, buf.byteLength - 65557); i--) {
      if (u32(v, i) === 0x06054b50) { end = i; break; }
    }
    if (end < 0) throw new Error("not a zip file (no central directory)");
    var count = u16(v, end + 10), at = u32(v, end + 16), out = {};
    var dec = new TextDecoder("utf-8");
    for (var n = 0; n < count; n++) {
      if (u32(v, at) !== 0x02014b50) throw new Error("damaged zip directory");
      var method = u16(v, at + 10), csize = u32(v, at + 20), usize = u32(v, at + 24);
      var nlen = u16(v, at + 28), elen = u16(v, at + 30), clen = u16(v, at + 32);
      var local = u32(v, at + 42);
      var name = dec.decode(new Uint8Array(buf, at + 46, nlen));
      out[name] = { method: method, csize: csize, usize: usize, local: local };
      at += 46 + nlen + elen + clen;
    }
    return out;
  }

  function part(buf, dir, name) {
    var e = dir[name];
    if (!e) return Promise.resolve(null);
    if (e.usize > MAX_PART) return Promise.reject(new Error(name + " is too large to preview"));
    var v = new DataView(buf);
    var start = e.local + 30 + u16(v, e.local + 26) + u16(v, e.local + 28);
    var bytes = new Uint8Array(buf, start, e.csize);
    if (e.method === 0) return Promise.resolve(new TextDecoder("utf-8").decode(bytes));
    if (e.method !== 8 || typeof DecompressionStream === "undefined") {
      return Promise.reject(new Error("cannot unpack " + name));
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).text();
  }

  function xml(text) { return new DOMParser().parseFromString(text, "application/xml"); }
  function all(doc, tag) { return Array.prototype.slice.call(doc.getElementsByTagNameNS("*", tag)); }
  function attr(el, name) {
    if (el.hasAttribute(name)) return el.getAttribute(name);
    for (var i = 0; i < el.attributes.length; i++) {
      if (el.attributes[i].localName === name) return el.attributes[i].value;
    }
    return null;
  }

  function colIndex(ref) { // "AB12" → 27
    var m = /^([A-Z]+)/.exec(ref || ""), n = 0;
    if (!m) return -1;
    for (var i = 0; i < m[1].length; i++) n = n * 26 + (m[1].charCodeAt(i) - 64);
    return n - 1;
  }
  function colName(i) { // 27 → "AB"
    var s = "";
    for (i += 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + (i - 1) % 26) + s;
    return s;
  }

  function isDateFormat(id, custom) {
    if ((id >= 14 && id <= 22) || (id >= 45 && id <= 47)) return true;
    var code = custom[id];
    if (!code) return false;
    code = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, "");
    return /[dy]/i.test(code) || /m{3,}/i.test(code);
  }
  function serialDate(x) {
    var ms = Math.round((x - 25569) * 86400000); // 1900 date system (1899-12-30 epoch)
    var d = new Date(ms);
    if (isNaN(d.getTime())) return String(x);
    var iso = d.toISOString();
    return x % 1 ? iso.slice(0, 16).replace("T", " ") : iso.slice(0, 10);
  }

  function open(file) {
    return file.arrayBuffer().then(function (buf) {
      var dir = entries(buf);
      return Promise.all([
        part(buf, dir, "xl/workbook.xml"),
        part(buf, dir, "xl/_rels/workbook.xml.rels"),
        part(buf, dir, "xl/sharedStrings.xml"),
        part(buf, dir, "xl/styles.xml"),
      ]).then(function (p) {
        if (!p[0]) throw new Error("not an Excel workbook (no xl/workbook.xml)");
        var rels = {};
        if (p[1]) {
          all(xml(p[1]), "Relationship").forEach(function (r) {
            var t = r.getAttribute("Target") || "";
            rels[r.getAttribute("Id")] = t.charAt(0) === "/" ? t.slice(1) :
              "xl/" + t.replace(/^\.\//, "");
          });
        }
        var sheets = {}, names = [];
        all(xml(p[0]), "sheet").forEach(function (s) {
          var name = s.getAttribute("name");
          names.push(name);
          sheets[name] = rels[attr(s, "id")] || null;
        });
        var strings = p[2] ? all(xml(p[2]), "si").map(function (si) {
          return all(si, "t").filter(function (t) {
            return !t.parentNode || t.parentNode.localName !== "rPh"; // skip phonetic runs
          }).map(function (t) { return t.textContent; }).join("");
        }) : [];
        var dateStyles = [];
        if (p[3]) {
          var st = xml(p[3]), custom = {};
          all(st, "numFmt").forEach(function (f) {
            custom[+f.getAttribute("numFmtId")] = f.getAttribute("formatCode") || "";
          });
          var xfs = all(st, "cellXfs")[0];
          if (xfs) {
            Array.prototype.forEach.call(xfs.children, function (xf, i) {
              dateStyles[i] = isDateFormat(+(xf.getAttribute("numFmtId") || 0), custom);
            });
          }
        }
        var cache = {};
        function sheet(name) {
          if (cache[name]) return cache[name];
          cache[name] = part(buf, dir, sheets[name]).then(function (text) {
            if (text === null) throw new Error("sheet " + name + " not found");
            var rows = [], maxCol = 0;
            all(xml(text), "row").some(function (r, k) {
              var ri = (+r.getAttribute("r") || k + 1) - 1;
              if (ri >= MAX_ROWS) return true;
              var row = rows[ri] = [];
              Array.prototype.forEach.call(r.children, function (c, j) {
                if (c.localName !== "c") return;
                var ci = colIndex(c.getAttribute("r"));
                if (ci < 0) ci = j;
                var t = c.getAttribute("t"), v = all(c, "v")[0], val = "";
                if (t === "s") val = strings[+(v && v.textContent)] || "";
                else if (t === "inlineStr") val = all(c, "t").map(function (x) {
                  return x.textContent; }).join("");
                else if (t === "b") val = v && v.textContent === "1" ? "TRUE" : "FALSE";
                else if (v) {
                  val = v.textContent;
                  var s = +(c.getAttribute("s") || 0);
                  if ((!t || t === "n") && dateStyles[s] && val !== "") val = serialDate(+val);
                }
                row[ci] = val;
                if (ci + 1 > maxCol) maxCol = ci + 1;
              });
              return false;
            });
            return { rows: rows, maxCol: maxCol };
          });
          return cache[name];
        }
        function columnOf(name, header) {
          return sheet(name).then(function (s) {
            var head = s.rows[0] || [], want = String(header || "").trim().toLowerCase();
            for (var i = 0; i < head.length; i++) {
              if (String(head[i] || "").trim().toLowerCase() === want) return i;
            }
            return -1;
          });
        }
        return { sheetNames: names, sheet: sheet, columnOf: columnOf, colName: colName };
      });
    });
  }

  window.InfraplanXlsx = { open: open, colName: colName };
})();
