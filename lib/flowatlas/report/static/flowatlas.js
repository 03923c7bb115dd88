/* flowatlas: the one script of a report page and of the notebooks' diagram outputs.
 * Diagrams (.fa-zoom): fit the width, zoom with the wheel, pan by dragging, reset with the
 * button or a double click, and show each node's and arrow's tooltip (its flow, finding and
 * clause) beside the pointer. Findings (.fa-explorer): sort by a column, filter by severity,
 * rule, organisation, country and text. It reads the page; it never evaluates text from it. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg", XLINK = "http://www.w3.org/1999/xlink";

  function tipText(g) {
    var a = g.querySelector("a");
    var t = a && (a.getAttributeNS(XLINK, "title") || a.getAttribute("xlink:title") || a.getAttribute("title"));
    if (!t) {
      var title = g.querySelector("title");
      t = title ? title.textContent : "";
    }
    return t || "";
  }

  function setupZoom(box) {
    var svg = box.querySelector("svg");
    if (!svg || box.getAttribute("data-fa-ready")) return;
    box.setAttribute("data-fa-ready", "1");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.width = "100%";
    svg.style.height = "auto";
    var root = svg.querySelector("g");
    if (!root) return;
    var view = document.createElementNS(SVGNS, "g");
    view.setAttribute("class", "fa-viewport");
    svg.insertBefore(view, root);
    view.appendChild(root);
    var k = 1, x = 0, y = 0, drag = null;
    function apply() {
      view.setAttribute("transform", "translate(" + x.toFixed(2) + " " + y.toFixed(2) + ") scale(" + k.toFixed(4) + ")");
      box.setAttribute("data-zoom", k.toFixed(3));
    }
    function point(evt) {
      var p = svg.createSVGPoint();
      p.x = evt.clientX;
      p.y = evt.clientY;
      var m = svg.getScreenCTM();
      return m ? p.matrixTransform(m.inverse()) : p;
    }
    function reset() { k = 1; x = 0; y = 0; apply(); }
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = point(e), nk = Math.min(40, Math.max(0.25, k * (e.deltaY < 0 ? 1.25 : 0.8))), f = nk / k;
      x = p.x - f * (p.x - x);
      y = p.y - f * (p.y - y);
      k = nk;
      apply();
    }, { passive: false });
    svg.addEventListener("pointerdown", function (e) { drag = point(e); svg.style.cursor = "grabbing"; });
    window.addEventListener("pointerup", function () { drag = null; svg.style.cursor = ""; });
    svg.addEventListener("pointermove", function (e) {
      if (drag) {
        var p = point(e);
        x += p.x - drag.x;
        y += p.y - drag.y;
        drag = p;
        apply();
      }
    });
    svg.addEventListener("dblclick", reset);
    var button = box.parentNode && box.parentNode.querySelector(".fa-reset");
    if (button) button.addEventListener("click", reset);
    var tip = document.createElement("div");
    tip.className = "fa-tip";
    tip.setAttribute("role", "tooltip");
    box.appendChild(tip);
    svg.addEventListener("mouseover", function (e) {
      var g = e.target.closest ? e.target.closest("g.node, g.edge, g.cluster") : null;
      var text = g ? tipText(g) : "";
      tip.textContent = text;
      tip.style.display = text ? "block" : "none";
    });
    svg.addEventListener("mousemove", function (e) {
      var r = box.getBoundingClientRect();
      tip.style.left = Math.min(e.clientX - r.left + 14, r.width - 40) + "px";
      tip.style.top = (e.clientY - r.top + 14) + "px";
    });
    svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });
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

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".fa-zoom"), setupZoom);
    Array.prototype.forEach.call(document.querySelectorAll(".fa-explorer"), setupExplorer);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
