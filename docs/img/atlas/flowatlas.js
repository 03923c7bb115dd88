/* flowatlas: the one script of a report page and of the notebooks' diagram outputs.
 * Diagrams (.fa-zoom): open at a scale where the smallest label is at least 9 CSS px (or fitted
 * to the width, when that is larger), inside a box the reader pans by dragging or with its
 * scrollbars. The wheel scrolls the page; ctrl/cmd + wheel (and a trackpad's pinch) zooms, as do
 * the buttons (-, +, fit, readable). Hover shows a short tooltip; a click pins the whole record
 * (every merged flow, its findings and clauses) in a panel under the diagram, which scrolls.
 * Findings (.fa-explorer): sort by a column, filter by severity, rule, organisation, country and
 * text. It reads the page; it never evaluates text from it. */
(function () {
  "use strict";
  var XLINK = "http://www.w3.org/1999/xlink";
  var READABLE = 9;  // CSS px: the smallest label at the scale a diagram opens at
  var SHORT = 360;   // characters of a record a tooltip shows; a click shows all of it
  var tip = null;
  var records = {};  // whole records of arrows whose tooltips only begin them, by element id
  // a record's line naming where a flow's whole record is (an atlas page, and the flow)
  var RECORD_LINK = /^its record: ([A-Za-z0-9][A-Za-z0-9_.~-]*\.html)#([A-Za-z0-9][A-Za-z0-9_.-]*)$/;

  // What a page packs (an atlas page: its drawing and its arrows' whole records): gzip-compressed
  // text in base64, in data blocks no browser runs (<script class="fa-svg">, <script
  // class="fa-records">), unpacked with the browser's DecompressionStream. A drawing is parsed as
  // SVG (DOMParser: nothing in it runs) and put in its box; records are read with JSON.parse.
  function unpack(block) {
    var bin = atob(block.textContent.trim()), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
  }

  function unpackAll() {
    var blocks = document.querySelectorAll("script.fa-svg:not([data-fa-ready]), script.fa-records:not([data-fa-ready])");
    var pending = blocks.length, root = document.documentElement;
    function done() {
      pending -= 1;
      if (pending > 0) return;
      pinFromAddress();
      root.setAttribute("data-fa-unpacked", "ready");
    }
    if (!pending) { root.setAttribute("data-fa-unpacked", "ready"); return; }
    if (typeof DecompressionStream === "undefined") { root.setAttribute("data-fa-unpacked", "unsupported"); return; }
    Array.prototype.forEach.call(blocks, function (block) {
      block.setAttribute("data-fa-ready", "1");
      unpack(block).then(function (text) {
        if (block.classList.contains("fa-records")) {
          var o = JSON.parse(text);
          Object.keys(o).forEach(function (k) { records[k] = String(o[k]); });
          return;
        }
        var doc = new DOMParser().parseFromString(text, "image/svg+xml"), box = block.parentNode;
        if (doc.getElementsByTagName("parsererror").length) throw new Error("flowatlas: a drawing could not be read");
        box.appendChild(document.importNode(doc.documentElement, true));
        setupZoom(box);
      }).then(done, function (err) { done(); throw err; });
    });
  }

  function recordText(g) {
    if (g.id && Object.prototype.hasOwnProperty.call(records, g.id)) return records[g.id];
    var a = g.querySelector("a");
    var t = a && (a.getAttributeNS(XLINK, "title") || a.getAttribute("xlink:title") || a.getAttribute("title"));
    if (!t) {
      var title = g.querySelector("title");
      t = title ? title.textContent : "";
    }
    return t || "";
  }

  function shortText(text) {
    var lines = text.split("\n"), out = lines.slice(0, 6).join("\n");
    if (out.length > SHORT) out = out.slice(0, SHORT).replace(/\s+\S*$/, "");
    return out.length < text.length ? out + " \u2026\n(click: the whole record)" : out;
  }

  function theTip() {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "fa-tip";
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    return tip;
  }

  function button(bar, label, title, act) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", act);
    bar.appendChild(b);
    return b;
  }

  function setupZoom(box) {
    var svg = box.querySelector("svg");
    if (!svg || box.getAttribute("data-fa-ready")) return;
    box.setAttribute("data-fa-ready", "1");
    var vb = svg.viewBox && svg.viewBox.baseVal;
    var w = vb && vb.width ? vb.width : parseFloat(svg.getAttribute("width")) || 800;
    var h = vb && vb.height ? vb.height : parseFloat(svg.getAttribute("height")) || 600;
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.maxWidth = "none";  // a page's own "svg { max-width: 100% }" would undo the zoom
    svg.style.maxHeight = "none";
    var smallest = Infinity;
    Array.prototype.forEach.call(svg.querySelectorAll("text"), function (t) {
      var f = parseFloat(t.getAttribute("font-size"));
      if (f > 0 && f < smallest) smallest = f;
    });
    if (!isFinite(smallest)) smallest = 14;
    var k = 1;
    function fit() { return box.clientWidth > 0 ? (box.clientWidth - 2) / w : 1; }
    function readable() { return Math.max(fit(), READABLE / smallest); }
    function apply() {
      svg.style.width = Math.ceil(w * k) + "px";  // (up: a label is never drawn under the size promised)
      svg.style.height = Math.ceil(h * k) + "px";
      box.setAttribute("data-zoom", k.toFixed(4));
      box.setAttribute("data-label-px", (smallest * k).toFixed(2));
    }
    function zoomTo(nk, cx, cy) {
      var r = box.getBoundingClientRect();
      if (cx === undefined) { cx = r.left + box.clientWidth / 2; cy = r.top + box.clientHeight / 2; }
      var ux = (box.scrollLeft + cx - r.left) / k, uy = (box.scrollTop + cy - r.top) / k;
      k = Math.min(40 * readable(), Math.max(0.5 * fit(), nk));
      apply();
      box.scrollLeft = ux * k - (cx - r.left);
      box.scrollTop = uy * k - (cy - r.top);
    }
    box.addEventListener("wheel", function (e) {
      if (e.ctrlKey || e.metaKey) {  // zoom (a trackpad's pinch comes as ctrl + wheel)
        e.preventDefault();
        zoomTo(k * (e.deltaY < 0 ? 1.25 : 0.8), e.clientX, e.clientY);
        return;
      }
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) return;  // sideways: the box scrolls
      e.preventDefault();  // up and down: the page scrolls, never stuck on a diagram
      var unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? window.innerHeight : 1;
      window.scrollBy(0, e.deltaY * unit);
    }, { passive: false });
    var drag = null, moved = 0;
    box.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY };
      moved = 0;
    });
    window.addEventListener("pointerup", function () { drag = null; box.classList.remove("fa-dragging"); });
    box.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      moved += Math.abs(dx) + Math.abs(dy);
      if (moved > 3) box.classList.add("fa-dragging");
      box.scrollLeft -= dx;
      box.scrollTop -= dy;
      drag = { x: e.clientX, y: e.clientY };
    });
    svg.addEventListener("dblclick", function () { zoomTo(fit()); });

    var figure = box.parentNode;
    var bar = figure && figure.querySelector(".fa-tools");
    if (bar) {
      var old = bar.querySelector(".fa-reset");
      if (old) bar.removeChild(old);
      var group = document.createElement("span");
      group.className = "fa-zoombar";
      bar.insertBefore(group, bar.firstChild);
      button(group, "\u2212", "Zoom out", function () { zoomTo(k * 0.8); });
      button(group, "+", "Zoom in", function () { zoomTo(k * 1.25); });
      button(group, "Fit", "Fit the width", function () { zoomTo(fit()); }).className = "fa-fit";
      button(group, "Readable", "Labels at a readable size", function () { zoomTo(readable()); }).className = "fa-readable";
    }
    var panel = document.createElement("aside");
    panel.className = "fa-record";
    panel.hidden = true;
    var head = document.createElement("div");
    head.className = "fa-record-head";
    var label = document.createElement("strong");
    label.textContent = "Record";
    head.appendChild(label);
    button(head, "\u00d7", "Close the record", function () { panel.hidden = true; });
    var body = document.createElement("pre");
    body.className = "fa-record-body";
    panel.appendChild(head);
    panel.appendChild(body);
    box.parentNode.insertBefore(panel, box.nextSibling);
    // the record as text; "its record: PAGE.html#FLOW" (a flow whose record another page holds)
    // as a link there, and the flow named by `focus` marked and scrolled to
    function pin(text, focus) {
      body.textContent = "";
      var marked = null;
      text.split("\n").forEach(function (line, i) {
        if (i) body.appendChild(document.createTextNode("\n"));
        var away = RECORD_LINK.exec(line);
        if (away) {
          body.appendChild(document.createTextNode("its record: "));
          var a = document.createElement("a");
          a.href = away[1] + "#" + away[2];
          a.textContent = away[1] + "#" + away[2];
          body.appendChild(a);
        } else if (focus && line.indexOf("flow " + focus + ":") === 0) {
          marked = document.createElement("mark");
          marked.textContent = line;
          body.appendChild(marked);
        } else {
          body.appendChild(document.createTextNode(line));
        }
      });
      panel.hidden = false;
      panel.scrollTop = 0;
      if (marked) panel.scrollTop = Math.max(0, marked.offsetTop - panel.offsetTop - 40);
    }
    box.faPin = pin;

    function target(e) {
      return e.target.closest ? e.target.closest("g.node, g.edge, g.cluster") : null;
    }
    function place(e) {
      var t = theTip();
      if (t.style.display !== "block") return;
      var x = Math.min(e.clientX + 14, window.innerWidth - t.offsetWidth - 8);
      var y = e.clientY + 14 + t.offsetHeight > window.innerHeight ? e.clientY - t.offsetHeight - 10 : e.clientY + 14;
      t.style.left = Math.max(4, x) + "px";
      t.style.top = Math.max(4, y) + "px";
    }
    svg.addEventListener("mouseover", function (e) {
      var g = target(e), text = g ? recordText(g) : "", t = theTip();
      t.textContent = text ? shortText(text) : "";
      t.style.display = text ? "block" : "none";
      place(e);  // at the pointer from the start, not where the last tooltip was
    });
    svg.addEventListener("mousemove", place);
    svg.addEventListener("mouseleave", function () { theTip().style.display = "none"; });
    svg.addEventListener("click", function (e) {
      var g = target(e), text = g ? recordText(g) : "";
      if (!text || moved > 3) return;
      var link = e.target.closest ? e.target.closest("a") : null;
      if (link && (link.getAttribute("href") || link.getAttributeNS(XLINK, "href"))) return;  // a link: follow it
      e.preventDefault();
      pin(text, "");
    });
    k = readable();
    apply();
  }

  function cellValue(row, i) {
    var c = row.cells[i];
    if (!c) return "";
    return c.getAttribute("data-sort") || c.textContent.trim().toLowerCase();
  }

  function setupExplorer(wrap) {
    if (wrap.getAttribute("data-fa-ready")) return;
    wrap.setAttribute("data-fa-ready", "1");
    var table = wrap.querySelector("table");
    if (!table || !table.tBodies.length) return;
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var count = wrap.querySelector(".fa-count"), controls = wrap.querySelectorAll("[data-filter]");
    function filter() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = true;
        Array.prototype.forEach.call(controls, function (c) {
          var want = c.value.trim().toLowerCase(), key = c.getAttribute("data-filter");
          if (!want || !ok) return;
          if (key === "text") ok = row.textContent.toLowerCase().indexOf(want) >= 0;
          else ok = (" " + (row.getAttribute("data-" + key) || "").toLowerCase() + " ").indexOf(" " + want + " ") >= 0;
        });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + (rows.length === 1 ? " finding" : " findings");
    }
    Array.prototype.forEach.call(controls, function (c) {
      c.addEventListener(c.tagName === "SELECT" ? "change" : "input", filter);
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("tabindex", "0");
      th.setAttribute("aria-sort", "none");
      function sort() {
        var down = th.getAttribute("aria-sort") !== "descending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", down ? "descending" : "ascending");
        rows.sort(function (a, b) {
          var va = cellValue(a, i), vb = cellValue(b, i), na = parseFloat(va), nb = parseFloat(vb);
          var c = !isNaN(na) && !isNaN(nb) ? na - nb : va < vb ? -1 : va > vb ? 1 : 0;
          return down ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
    filter();
  }

  // A page opened as PAGE.html#FLOW (a link from another page's record): pin the record of the
  // arrow that holds FLOW's whole record, with FLOW marked, and bring the arrow into view.
  function pinFromAddress() {
    var flow = "";
    try { flow = decodeURIComponent((window.location.hash || "").slice(1)); } catch (e) { return; }  // a malformed address
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(flow)) return;  // a flow's id, nothing else
    var head = new RegExp("(^|\\n)flow " + flow.replace(/\./g, "\\.") + ":");
    var key = Object.keys(records).filter(function (k) { return head.test(records[k]); })[0];
    var g = key && document.getElementById(key), box = g && g.closest(".fa-zoom");
    if (!box || !box.faPin) return;
    box.faPin(records[key], flow);
    if (g.scrollIntoView) g.scrollIntoView({block: "center", inline: "center"});
  }

  function init() {
    unpackAll();
    Array.prototype.forEach.call(document.querySelectorAll(".fa-zoom"), setupZoom);
    Array.prototype.forEach.call(document.querySelectorAll(".fa-explorer"), setupExplorer);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
