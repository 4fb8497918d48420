/* truce's map page: draws a view (verdict, GeoJSON, lines, towns, timeline) with Leaflet.
   Every text from the data goes in as text (textContent), never as HTML. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("truce-data").textContent);
  var COLOURS = DATA.colours;
  var RECORDS = DATA.records;
  var served = DATA.mode === "served";
  var scenario = null; // served: the dropped file's text and type
  var map = L.map("map", { zoomSnap: 0.25 });
  var layers = L.layerGroup().addTo(map);
  var legend = L.control({ position: "bottomright" });
  var legendBox = L.DomUtil.create("div", "legend");
  legend.onAdd = function () { return legendBox; };
  legend.addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  if (DATA.tiles) {
    L.tileLayer(DATA.tiles, { maxZoom: 18, attribution: "basemap: " + new URL(DATA.tiles.replace(/[{}]/g, "")).host }).addTo(map);
  }
  map.setView([20, 0], 2);

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function words(status) { return String(status || "no clause").replace(/_/g, " "); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function row(cells) {
    var tr = el("tr");
    cells.forEach(function (c) { var td = el("td"); if (c instanceof Node) td.appendChild(c); else td.textContent = c; tr.appendChild(td); });
    return tr;
  }
  function finding(status) {
    return el("span", words(status), { "class": "finding", style: "color:" + (COLOURS.finding[status] || "#777") });
  }
  function popup(title, pairs) {
    var box = el("div", null, { "class": "popup" });
    box.appendChild(el("div", title, { "class": "popup-title" }));
    var table = el("table");
    pairs.forEach(function (p) { if (p[1] !== null && p[1] !== undefined && p[1] !== "") table.appendChild(row([p[0], p[1]])); });
    box.appendChild(table);
    return box;
  }
  function clauses(props) {
    return props.clauses.map(function (c, i) { return c + " (" + props.articles[i] + ")"; }).join("; ");
  }

  function draw(view) {
    var verdict = view.verdict;
    layers.clearLayers();
    document.getElementById("title").textContent = verdict.title + " (" + verdict.agreement + ")";
    document.getElementById("subtitle").textContent = "as of " + verdict.as_of + ", reading " + verdict.reading_name + " (" + verdict.reading + ")";
    document.title = verdict.title + ": truce";
    var badge = document.getElementById("verdict");
    badge.textContent = words(verdict.status).toUpperCase() + (verdict.responsible.length ? " (responsible: " + verdict.responsible.join(", ") + ")" : "");
    badge.style.color = COLOURS.status[verdict.status];
    badge.setAttribute("data-status", verdict.status);
    var broken = verdict.findings.filter(function (f) { return f.status === "violated"; });
    var headline = clear(document.getElementById("headline"));
    if (broken.length) {
      headline.appendChild(el("b", "Clauses broken (" + broken.length + "):"));
      var list = el("ul");
      broken.forEach(function (f) {
        var who = f.parties.concat(f.parties_one_of.map(function (g) { return "one of " + g.join(", "); })).join("; ");
        list.appendChild(el("li", f.clause + ": " + f.title + (who ? " — by " + who : "") + " [" + f.reference + "]"));
      });
      headline.appendChild(list);
    }
    if (verdict.not_assessed.length) {
      var titles = {};
      verdict.findings.forEach(function (f) { titles[f.clause] = f.title; });
      headline.appendChild(el("b", (verdict.status === "holds" ? "Holds on every term assessed; not" : "Not") + " assessed (" + verdict.not_assessed.length + "):"));
      var unassessed = el("ul", null, { id: "not-assessed" });
      verdict.not_assessed.forEach(function (n) {
        unassessed.appendChild(el("li", n.clause + ": " + titles[n.clause] + " (no " + n.records.map(function (k) { return RECORDS[k] || k; }).join(" or ") + ")"));
      });
      headline.appendChild(unassessed);
    }
    var select = document.getElementById("reading");
    if (select.options.length !== view.readings.length) {
      clear(select);
      view.readings.forEach(function (r) { select.appendChild(el("option", r.name + " (" + r.id + ")", { value: r.id })); });
    }
    select.value = verdict.reading;

    var zones = view.map.features.filter(function (f) { return f.properties.layer === "zone"; });
    zones.sort(function (a, b) { return zoneSize(b) - zoneSize(a); });
    zones.forEach(function (f) {
      var p = f.properties;
      var colour = COLOURS.finding[p.finding] || "#9e9e9e";
      var shape = L.geoJSON(f, { style: { color: colour, weight: 2.5, fillColor: colour, fillOpacity: 0.04, dashArray: p.illustrative ? "8 5" : null, className: "truce-zone" } });
      shape.bindPopup(popup(p.name + (p.illustrative ? " (illustrative)" : ""), [["zone", p.id], ["finding", words(p.finding)], ["clauses", clauses(p)]]));
      shape.addTo(layers);
      shape.eachLayer(function (l) { var path = l.getElement(); if (path) { path.setAttribute("data-zone", p.id); path.setAttribute("data-finding", p.finding || ""); } });
    });
    view.lines.forEach(function (line) {
      L.polyline(line, { color: "#202020", weight: 3, className: "truce-line" }).bindTooltip("the line zones are measured from").addTo(layers);
    });
    view.landmarks.forEach(function (m) {
      L.circleMarker([m.lat, m.lon], { radius: 3, color: "#303030", fillOpacity: 1, weight: 1 })
        .bindTooltip(m.name, { permanent: true, direction: "right", className: "town" }).addTo(layers);
    });
    var states = {};
    view.map.features.filter(function (f) { return f.properties.layer !== "zone"; }).forEach(function (f) {
      var p = f.properties, unit = p.layer === "unit";
      var state = p.finding || "clear";
      states[state] = true;
      var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var colour = COLOURS.item[state];
      var marker = L.circleMarker(ll, { radius: unit ? 6 + Math.log10(1 + p.count) * 2 : 7, color: unit ? "#000" : colour, weight: unit ? 1 : 3,
        fillColor: colour, fillOpacity: unit ? 0.9 : 0.35, dashArray: unit ? null : "2 2", className: "truce-" + p.layer });
      var pairs = unit
        ? [["unit", p.id], ["party", p.party], ["kind", p.kind], ["count", p.count], ["observed", p.observed]]
        : [["incident", p.id], ["kind", p.kind], ["by", Array.isArray(p.by) ? "one of " + p.by.join(", ") : (p.by || "unknown")], ["time", p.time]];
      pairs.push(["finding", words(p.finding || "no clause breached")], ["uncertainty (km)", p.uncertainty_km], ["clauses", clauses(p)]);
      marker.bindPopup(popup((unit ? "Unit " : "Incident ") + p.id, pairs)).addTo(layers);
      marker.getElement().setAttribute("data-item", p.id);
    });
    drawLegend(zones, states);
    var table = clear(document.querySelector("#clauses tbody"));
    verdict.findings.forEach(function (f) {
      var name = el("div"); name.appendChild(el("b", f.clause)); name.appendChild(el("div", f.title));
      var evidence = f.evidence.join(", ") + (f.unknown.length ? (f.evidence.length ? "; " : "") + "? " + f.unknown.join(", ") : "");
      var tr = row([name, finding(f.status), f.parties.join(", "), evidence, f.reference]);
      tr.title = f.message;
      table.appendChild(tr);
    });
    drawTimeline(view.timeline);
    drawRepair(view.repair);
    drawRobustness(view.robustness);
    var notes = verdict.notes.concat(verdict.missing.map(function (m) { return "To decide, the state needs: " + m; }));
    document.getElementById("notes").textContent = notes.join(" ");
    map.fitBounds(view.bounds);
  }

  function zoneSize(f) {
    var b = L.geoJSON(f).getBounds();
    return (b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest());
  }

  function drawLegend(zones, states) {
    clear(legendBox);
    legendBox.appendChild(el("b", "Zones (outline: finding)"));
    zones.forEach(function (f) {
      var colour = COLOURS.finding[f.properties.finding] || "#9e9e9e";
      var line = el("div");
      line.appendChild(el("i", null, { style: "border-color:" + colour + (f.properties.illustrative ? ";border-style:dashed" : "") }));
      line.appendChild(document.createTextNode(f.properties.name + ": " + words(f.properties.finding)));
      legendBox.appendChild(line);
    });
    legendBox.appendChild(el("b", "Units (solid) and incidents (dotted)"));
    var names = { violated: "in breach of a clause", unknown: "may breach a clause", clear: "no clause breached" };
    Object.keys(names).forEach(function (s) {
      if (!states[s]) return;
      var line = el("div");
      line.appendChild(el("i", null, { style: "border-radius:7px;border-color:#000;background:" + COLOURS.item[s] }));
      line.appendChild(document.createTextNode(names[s]));
      legendBox.appendChild(line);
    });
  }

  function drawTimeline(line) {
    var part = document.getElementById("timeline-part");
    part.style.display = line ? "" : "none";
    var body = clear(document.querySelector("#timeline tbody"));
    if (!line) return;
    line.intervals.forEach(function (i) {
      var changes = i.changed.map(function (c) {
        return c.clause + ": " + words(c.before || "-") + " → " + words(c.after) + (c.evidence.length ? " (" + c.evidence.join(", ") + ")" : "");
      }).join("\n");
      var status = el("span", words(i.status), { "class": "finding", style: "color:" + COLOURS.status[i.status] });
      var tr = row([i.start, i.end || "onwards", status, i.responsible.join(", "), changes]);
      tr.lastChild.style.whiteSpace = "pre-line";
      body.appendChild(tr);
    });
  }

  function drawRepair(fix) {
    var box = clear(document.getElementById("repair"));
    if (!fix.changes.length && !fix.not_repairable.length && !fix.learn.length) {
      box.appendChild(el("p", fix.status === "holds" ? "Nothing to repair: it holds." : "No repair: the truce is not in force at this instant."));
      return;
    }
    box.appendChild(el("p", "With these changes the verdict would be: " + words(fix.yields) + "."));
    var parties = [];
    fix.changes.forEach(function (c) { if (parties.indexOf(c.party) < 0) parties.push(c.party); });
    parties.sort().forEach(function (party) {
      box.appendChild(el("b", party));
      var list = el("ul");
      fix.changes.filter(function (c) { return c.party === party; }).forEach(function (c) {
        var refs = c.clauses.map(function (r) { return r.clause + ", " + r.article + ", due " + r.deadline; }).join("; ");
        list.appendChild(el("li", c.message + " (" + refs + ")", { "data-item": c.item, "class": "change" }));
      });
      box.appendChild(list);
    });
    fix.not_repairable.forEach(function (n) {
      box.appendChild(el("p", "Not repairable: " + n.clause.clause + " (" + n.clause.article + "): " + n.reason +
        " (evidence " + n.evidence.join(", ") + ")", { "class": "not-repairable" }));
    });
    fix.learn.forEach(function (f) {
      box.appendChild(el("p", "To learn: " + f.facts.join("; ") + ": if " + f.item + " counts, " + words(f.if_counts) +
        "; if not, " + words(f.if_not) + ".", { "class": "learn" }));
    });
  }

  function drawRobustness(sure) {
    var box = clear(document.getElementById("robustness"));
    box.setAttribute("data-stable", sure.stable ? "yes" : "no");
    box.appendChild(el("p", sure.summary));
    var list = el("ul");
    sure.findings.forEach(function (z) {
      var nearest = z.distances.slice(0, 3).map(function (d) {
        return d.item + " " + Math.abs(d.distance_km).toFixed(2) + " km " + (d.inside ? "inside" : "outside");
      }).join(", ");
      list.appendChild(el("li", z.clause + " (" + words(z.status) + ", zone " + z.zone + ", margin " + z.margin_km + " km): " +
        (z.stable ? "stable" : "may become " + words(z.if_moved) + " (deciding: " + z.deciding.join(", ") + ")") +
        (nearest ? "; nearest: " + nearest : "")));
    });
    box.appendChild(list);
    sure.depths.forEach(function (d) {
      box.appendChild(el("p", d.zone + " drawn " + d.depth_km + " km deep: " + words(d.status) +
        (d.switching.length ? "; on the other side then: " + d.switching.join(", ") : "")));
    });
  }

  function problems(text) { document.getElementById("problems").textContent = text; }

  function fetchView(reading) {
    if (!scenario) return;
    var headers = { "Content-Type": scenario.type };
    var token = document.getElementById("token").value.trim();
    if (token) headers.Authorization = "Bearer " + token;
    var query = reading ? "?reading=" + encodeURIComponent(reading) : "";
    document.body.setAttribute("data-busy", "1");
    fetch("v1/view" + query, { method: "POST", body: scenario.text, headers: headers })
      .then(function (answer) { return answer.json().then(function (body) { return { status: answer.status, body: body }; }); })
      .then(function (a) {
        if (a.status !== 200) {
          problems((a.status === 401 ? "The server needs its API token (the field above). " : "") + a.body.error + "\n" +
            (a.body.problems || []).map(function (p) { return (p.path ? p.path + ": " : "") + p.message + (p.suggestion ? " (" + p.suggestion + ")" : ""); }).join("\n"));
          return;
        }
        problems("");
        draw(a.body);
      })
      .catch(function (e) { problems("The server did not answer: " + e); })
      .then(function () { document.body.removeAttribute("data-busy"); });
  }

  function load(file) {
    file.text().then(function (text) {
      scenario = { text: text, type: /\.json$/i.test(file.name) ? "application/json" : "application/yaml" };
      fetchView(null);
    });
  }

  document.getElementById("reading").addEventListener("change", function (e) {
    if (served) fetchView(e.target.value); else draw(DATA.views[e.target.value]);
  });
  if (served) {
    document.body.classList.add("served");
    document.getElementById("file").addEventListener("change", function (e) { if (e.target.files.length) load(e.target.files[0]); });
    document.addEventListener("dragover", function (e) { e.preventDefault(); document.body.classList.add("dragging"); });
    document.addEventListener("dragleave", function () { document.body.classList.remove("dragging"); });
    document.addEventListener("drop", function (e) {
      e.preventDefault();
      document.body.classList.remove("dragging");
      if (e.dataTransfer.files.length) load(e.dataTransfer.files[0]);
    });
    document.getElementById("verdict").textContent = "Choose or drop a scenario file to evaluate it.";
  } else {
    draw(DATA.views[Object.keys(DATA.views)[0]]);
  }
})();
