/* The concept map's behaviour: legend, filters, search, hover tooltip and the side panel.
 *
 * Every string from the graph (labels, titles, sentences, URLs) reaches the page through textContent or, for
 * links, through safeUrl(); nothing is ever assigned to innerHTML, so no title can become markup.
 */
(function () {
  "use strict";

  performance.mark("kg-start");
  const data = JSON.parse(document.getElementById("kg-map-data").textContent);
  performance.mark("kg-parsed");
  const info = data.info;
  const papers = data.papers;
  const count = info.length;
  const communities = new Map(data.communities.map(function (c) { return [c.iri, c]; }));
  const types = new Map(data.types.map(function (t) { return [t.kind, t]; }));
  const FADED = "rgba(200,200,200,0.35)";
  const FADED_TEXT = "rgba(90,90,90,0.3)";
  const SVG = "http://www.w3.org/2000/svg";

  // ------------------------------------------------------------------ helpers

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === "text") node.textContent = attrs[key];
        else if (key === "className") node.className = attrs[key];
        else node.setAttribute(key, attrs[key]);
      });
    }
    (children || []).forEach(function (child) { if (child) node.append(child); });
    return node;
  }

  function safeUrl(value) {
    if (typeof value !== "string") return null;
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function link(url, text) {
    const href = safeUrl(url);
    if (!href) return null;
    return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: text });
  }

  function plural(n, word) {
    const many = word.endsWith("y") ? word.slice(0, -1) + "ies" : word + "s";
    return n.toLocaleString("en") + " " + (n === 1 ? word : many);
  }

  function shapeIcon(shape, colour) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    const points = {
      square: "2,2 14,2 14,14 2,14",
      triangle: "8,1.5 15,14.5 1,14.5",
      triangleDown: "1,1.5 15,1.5 8,14.5",
      diamond: "8,1 15,8 8,15 1,8",
      star: "8,1 10,6 15.5,6.2 11.2,9.6 12.8,15 8,11.8 3.2,15 4.8,9.6 0.5,6.2 6,6",
    }[shape];
    const mark = document.createElementNS(SVG, points ? "polygon" : "circle");
    if (points) mark.setAttribute("points", points);
    else { mark.setAttribute("cx", "8"); mark.setAttribute("cy", "8"); mark.setAttribute("r", "6.5"); }
    mark.setAttribute("fill", colour);
    mark.setAttribute("stroke", "rgba(0,0,0,0.4)");
    svg.append(mark);
    return svg;
  }

  // ------------------------------------------------------------------ the network

  const neighbours = Array.from({ length: count }, function () { return []; });
  const edgesOf = Array.from({ length: count }, function () { return []; });
  const edgeItems = data.edges.map(function (edge, i) {
    neighbours[edge.from].push(edge.to);
    neighbours[edge.to].push(edge.from);
    edgesOf[edge.from].push(i);
    edgesOf[edge.to].push(i);
    return Object.assign({ id: i }, edge);
  });
  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(edgeItems);
  const container = document.getElementById("map");
  performance.mark("kg-datasets");
  const network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  performance.mark("kg-network");

  let colourBy = data.colorBy;
  let highlighted = null;
  const hidden = new Uint8Array(count);

  function baseColour(i) {
    if (colourBy === "community") {
      const community = communities.get(info[i].community);
      return community ? community.color : data.otherColor;
    }
    return info[i].typeColor;
  }

  // Fading every other node costs one DataSet update per node: on large maps the selection alone marks the
  // neighbours (their edges are highlighted), so that clicking stays instant.
  const fadeOthers = !data.large;
  let faded = false;

  function repaint(force) {
    const fade = fadeOthers && highlighted !== null;
    if (!fade && !faded && !force) return;
    faded = fade;
    const keep = fade ? new Set([highlighted].concat(neighbours[highlighted])) : null;
    const updates = [];
    for (let i = 0; i < count; i += 1) {
      const shown = keep === null || keep.has(i);
      updates.push({ id: i, color: shown ? baseColour(i) : FADED, font: { color: shown ? "#1a1a1a" : FADED_TEXT } });
    }
    nodes.update(updates);
  }

  // Region names: each coloured community's name above its nodes, at a constant size on screen, drawn on the
  // canvas after vis-network (canvas text is never parsed as markup).
  const regions = data.communities.filter(function (c) { return c.color !== data.otherColor; }).map(function (c) {
    let sx = 0, sy = 0, n = 0, top = Infinity;
    info.forEach(function (r, i) {
      if (r.community !== c.iri) return;
      sx += data.nodes[i].x; sy += data.nodes[i].y; n += 1;
      top = Math.min(top, data.nodes[i].y);
    });
    return { name: c.name, color: c.color, x: n ? sx / n : 0, top: top, size: n };
  }).filter(function (r) { return r.size >= 3; });
  let showRegions = regions.length > 1;

  network.on("afterDrawing", function (ctx) {
    if (!showRegions) return;
    const scale = network.getScale();
    const size = 14 / scale;
    const placed = [];
    ctx.save();
    ctx.font = "600 " + size + "px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.lineJoin = "round";
    regions.forEach(function (r) {  // largest first; a name that would overlap one already drawn is left out
      const parts = r.name.split(" · ");
      const text = parts.length > 2 && parts.slice(0, 2).join(" · ").length > 24 ? parts.slice(0, 2).join(" · ") : r.name;
      const width = ctx.measureText(text).width;
      const box = { left: r.x - width / 2, right: r.x + width / 2, top: r.top - 6 / scale - size, bottom: r.top - 6 / scale };
      if (placed.some(function (b) {
        return box.left < b.right && b.left < box.right && box.top < b.bottom && b.top < box.bottom;
      })) return;
      placed.push(box);
      ctx.lineWidth = 5 / scale;
      ctx.strokeStyle = "rgba(255,255,255,0.92)";
      ctx.strokeText(text, r.x, r.top - 6 / scale);
      ctx.fillStyle = "#1a1a1a";
      ctx.fillText(text, r.x, r.top - 6 / scale);
    });
    ctx.restore();
  });

  network.once("afterDrawing", function () {
    performance.mark("kg-drawn");
    window.kgMapReadyAt = performance.now();
    document.body.setAttribute("data-ready", "true");
  });

  // ------------------------------------------------------------------ summary and legend

  const summary = data.summary;
  document.getElementById("summary").textContent = [
    plural(summary.concepts, "concept") + (summary.conceptsTotal > summary.concepts
      ? " of " + summary.conceptsTotal.toLocaleString("en") : ""),
    plural(summary.papersTotal, "paper") + " in the graph",
    plural(summary.edges, "link") + " drawn",
    data.communities.length > 1 ? plural(data.communities.length, "community") : null,
  ].filter(Boolean).join(" · ");

  const typeOn = new Map();
  const typeLegend = document.getElementById("type-legend");
  data.types.forEach(function (t) {
    typeOn.set(t.kind, true);
    const box = el("input", { type: "checkbox", "aria-label": "show " + t.name });
    box.checked = true;
    box.addEventListener("change", function () { typeOn.set(t.kind, box.checked); applyFilters(); });
    const drawn = info.filter(function (r) { return r.kind === t.kind; }).length;
    typeLegend.append(el("li", null, [
      el("label", null, [box, shapeIcon(t.shape, t.color), el("span", { text: t.name })]),
      el("span", { className: "count", text: drawn.toLocaleString("en") }),
    ]));
  });

  const communitySelect = document.getElementById("community-filter");
  const communityLegend = document.getElementById("community-legend");
  data.communities.forEach(function (c) {
    communitySelect.append(el("option", { value: c.iri, text: c.name }));
    const item = el("li", { tabindex: "0", role: "button", title: "Show only this community" }, [
      el("span", { className: "swatch", style: "background:" + (/^#[0-9a-fA-F]{6}$/.test(c.color) ? c.color : "#999") }),
      el("span", { text: c.name }),
      el("span", { className: "count", text: c.drawn.toLocaleString("en") }),
    ]);
    item.addEventListener("click", function () {
      communitySelect.value = communitySelect.value === c.iri ? "" : c.iri;
      applyFilters();
    });
    item.addEventListener("keydown", function (event) { if (event.key === "Enter") item.click(); });
    item.dataset.iri = c.iri;
    communityLegend.append(item);
  });
  if (data.communities.length < 2) {
    communityLegend.closest("section").hidden = true;
    communitySelect.closest("label").hidden = true;
    document.querySelector("[value=community]").disabled = true;
  }

  document.querySelectorAll("input[name=color-by]").forEach(function (radio) {
    radio.checked = radio.value === colourBy;
    radio.addEventListener("change", function () {
      colourBy = radio.value;
      showRegions = colourBy === "community" && regions.length > 1;
      repaint(true);
      network.redraw();
    });
  });

  // ------------------------------------------------------------------ filters

  const minPapers = document.getElementById("min-papers");
  const dateFrom = document.getElementById("date-from");
  const dateTo = document.getElementById("date-to");
  const status = document.getElementById("filter-status");

  function papersInRange(record, from, to) {
    if (!from && !to) return record.papers;
    const list = record.kind === "paper" ? [record.paper] : record.p;
    let n = 0;
    list.forEach(function (p) {
      const date = papers[p][1];
      if (!date) return;
      const month = date.slice(0, 7);
      if ((!from || month >= from) && (!to || month <= to)) n += 1;
    });
    return n;
  }

  function applyFilters() {
    const min = Math.max(1, parseInt(minPapers.value, 10) || 1);
    const from = dateFrom.value;
    const to = dateTo.value;
    const community = communitySelect.value;
    const updates = [];
    let shown = 0;
    for (let i = 0; i < count; i += 1) {
      const record = info[i];
      let visible = typeOn.get(record.kind) !== false;
      if (visible && community) visible = record.kind === "paper"
        ? neighbours[i].some(function (j) { return info[j].community === community; })
        : record.community === community;
      if (visible) {
        const inRange = papersInRange(record, from, to);
        visible = record.kind === "paper" ? inRange > 0 : inRange >= min;
      }
      const flag = visible ? 0 : 1;
      if (hidden[i] !== flag) { hidden[i] = flag; updates.push({ id: i, hidden: !visible }); }
      if (visible) shown += 1;
    }
    if (updates.length) nodes.update(updates);
    communityLegend.querySelectorAll("li").forEach(function (li) {
      li.classList.toggle("active", li.dataset.iri === community);
    });
    status.textContent = shown === count ? "" : plural(shown, "node") + " of " + count.toLocaleString("en") + " shown";
  }

  [minPapers, dateFrom, dateTo, communitySelect].forEach(function (input) {
    input.addEventListener("change", applyFilters);
  });
  minPapers.addEventListener("input", applyFilters);
  document.getElementById("reset-filters").addEventListener("click", function () {
    minPapers.value = "1";
    dateFrom.value = "";
    dateTo.value = "";
    communitySelect.value = "";
    typeLegend.querySelectorAll("input").forEach(function (box) { box.checked = true; });
    data.types.forEach(function (t) { typeOn.set(t.kind, true); });
    applyFilters();
  });

  // ------------------------------------------------------------------ tooltip

  const tooltip = document.getElementById("tooltip");
  network.on("hoverNode", function (params) {
    const record = info[params.node];
    const community = communities.get(record.community);
    const kind = types.get(record.kind);
    tooltip.replaceChildren(
      el("div", { text: record.label }),
      el("div", { className: "sub", text: (kind ? kind.name : record.kind) + " · " + plural(record.papers, "paper") }),
      community ? el("div", { className: "sub", text: "community: " + community.name }) : null
    );
    const box = container.getBoundingClientRect();
    tooltip.style.left = Math.min(window.innerWidth - 260, box.left + params.pointer.DOM.x + 14) + "px";
    tooltip.style.top = (box.top + params.pointer.DOM.y + 14) + "px";
    tooltip.hidden = false;
  });
  network.on("blurNode", function () { tooltip.hidden = true; });
  network.on("dragStart", function () { tooltip.hidden = true; });

  // ------------------------------------------------------------------ panel

  const panel = document.getElementById("panel");
  const panelBody = document.getElementById("panel-body");
  const PAPERS_SHOWN = 50;

  function paperItem(p) {
    const row = papers[p];
    return el("li", null, [
      el("div", { className: "paper-title", text: row[0] }),
      el("div", { className: "paper-meta" }, [
        document.createTextNode(row[1] || "undated"),
        link(row[2], row[2] && row[2].indexOf("arxiv.org") >= 0 ? "arXiv" : "paper"),
        link(row[3], "code"),
      ]),
    ]);
  }

  // Where the mention is in its sentence: the first occurrence standing as a word of its own, else the first.
  function mentionAt(sentence, surface) {
    if (!surface) return -1;
    const lower = sentence.toLowerCase();
    const needle = surface.toLowerCase();
    const wordChar = /[\p{L}\p{N}]/u;
    let first = -1;
    for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
      if (first < 0) first = at;
      const before = at > 0 ? sentence[at - 1] : " ";
      const after = sentence[at + needle.length] || " ";
      if (!wordChar.test(before) && !wordChar.test(after)) return at;
    }
    return first;
  }

  function highlightedSentence(sentence, surface) {
    const quote = el("blockquote");
    const at = mentionAt(sentence, surface);
    if (at < 0) {
      quote.textContent = sentence;
    } else {
      quote.append(
        document.createTextNode(sentence.slice(0, at)),
        el("mark", { text: sentence.slice(at, at + surface.length) }),
        document.createTextNode(sentence.slice(at + surface.length))
      );
    }
    return quote;
  }

  function neighbourList(i) {
    const list = el("ul", { className: "neighbours" });
    neighbours[i]
      .slice()
      .sort(function (a, b) { return info[b].papers - info[a].papers || info[a].label.localeCompare(info[b].label); })
      .forEach(function (j) {
        const button = el("button", { type: "button", text: info[j].label });
        button.addEventListener("click", function () { choose(j); });
        list.append(el("li", null, [button]));
      });
    return list;
  }

  function openPanel(i) {
    const record = info[i];
    const kind = types.get(record.kind);
    const community = communities.get(record.community);
    const parts = [el("h2", { id: "panel-title", text: record.kind === "paper" ? papers[record.paper][0] : record.label })];
    const badges = el("div", { className: "badges" }, [
      el("span", { className: "badge kind", style: "background:" + record.typeColor, text: kind ? kind.name : record.kind }),
      el("span", { className: "badge", text: plural(record.papers, record.kind === "paper" ? "concept" : "paper") }),
      community ? el("span", { className: "badge", text: "community: " + community.name }) : null,
    ]);
    parts.push(badges);
    if (record.kind === "paper") {
      parts.push(el("ul", null, [paperItem(record.paper)]));
      parts.push(el("h3", { text: "Concepts on the map" }), neighbourList(i));
    } else {
      if (record.aliases && record.aliases.length) {
        parts.push(el("p", { className: "paper-meta", text: "Also called: " + record.aliases.join(", ") }));
      }
      if (neighbours[i].length) parts.push(el("h3", { text: "Linked on the map" }), neighbourList(i));
      if (record.ev.length) {
        parts.push(el("h3", { text: "Evidence" }));
        record.ev.forEach(function (item) {
          parts.push(highlightedSentence(item[1], item[2]));
          parts.push(el("div", { className: "paper-meta", text: "— " + papers[item[0]][0] }));
        });
      }
      parts.push(el("h3", { text: "Papers (" + record.p.length.toLocaleString("en") + ")" }));
      const list = el("ul", { className: "papers" });
      record.p.slice(0, PAPERS_SHOWN).forEach(function (p) { list.append(paperItem(p)); });
      parts.push(list);
      if (record.p.length > PAPERS_SHOWN) {
        parts.push(el("p", { className: "hint", text: "… and " + (record.p.length - PAPERS_SHOWN).toLocaleString("en") + " older papers" }));
      }
    }
    panelBody.replaceChildren.apply(panelBody, parts);
    if (panel.hidden) {
      panel.hidden = false;
      network.setSize("100%", "100%"); // the map just got narrower
    }
    panel.setAttribute("aria-labelledby", "panel-title");
    highlighted = i;
    network.setSelection({ nodes: fadeOthers ? [i] : [i].concat(neighbours[i]), edges: edgesOf[i] }, { highlightEdges: false });
    repaint();
  }

  function closePanel() {
    panel.hidden = true;
    network.setSize("100%", "100%");
    if (highlighted !== null) {
      highlighted = null;
      network.unselectAll();
      repaint();
    }
  }

  function choose(i) {
    if (hidden[i]) { hidden[i] = 0; nodes.update({ id: i, hidden: false }); }
    openPanel(i);
    network.focus(i, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 400, easingFunction: "easeInOutQuad" } });
  }

  document.getElementById("panel-close").addEventListener("click", closePanel);
  network.on("click", function (params) {
    if (params.nodes.length) openPanel(params.nodes[0]);
    else if (!params.edges.length) closePanel();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) closePanel();
  });

  // ------------------------------------------------------------------ search

  const searchInput = document.getElementById("search-input");
  const results = document.getElementById("search-results");
  const index = info.map(function (record, i) {
    const names = record.kind === "paper" ? [papers[record.paper][0]] : [record.label].concat(record.aliases || []);
    return { i: i, names: names.map(function (n) { return n.toLowerCase(); }) };
  });
  let active = -1;
  let matches = [];

  function search(text) {
    const query = text.trim().toLowerCase();
    if (!query) return [];
    const found = [];
    index.forEach(function (entry) {
      let best = 99;
      let via = null;
      entry.names.forEach(function (name, k) {
        let score = name === query ? 0 : name.startsWith(query) ? 2 : name.indexOf(query) >= 0 ? 4 : 99;
        if (score < 99 && k > 0) score += 1;
        if (score < best) { best = score; via = k > 0 ? k : null; }
      });
      if (best < 99) found.push({ i: entry.i, score: best, via: via });
    });
    found.sort(function (a, b) {
      return a.score - b.score || info[b.i].papers - info[a.i].papers || info[a.i].label.localeCompare(info[b.i].label);
    });
    return found.slice(0, 12);
  }

  function showResults() {
    results.replaceChildren();
    matches.forEach(function (match, k) {
      const record = info[match.i];
      const kind = types.get(record.kind);
      const alias = match.via !== null ? " (" + record.aliases[match.via - 1] + ")" : "";
      const item = el("li", { role: "option", "aria-selected": k === active ? "true" : "false" }, [
        el("span", { text: (record.kind === "paper" ? papers[record.paper][0] : record.label) + alias }),
        el("span", { className: "meta", text: (kind ? kind.name : record.kind) + " · " + plural(record.papers, "paper") }),
      ]);
      item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(k); });
      results.append(item);
    });
    results.hidden = matches.length === 0;
    searchInput.setAttribute("aria-expanded", matches.length ? "true" : "false");
  }

  function pick(k) {
    const match = matches[k];
    if (!match) return;
    results.hidden = true;
    searchInput.setAttribute("aria-expanded", "false");
    choose(match.i);
  }

  searchInput.addEventListener("input", function () {
    matches = search(searchInput.value);
    active = matches.length ? 0 : -1;
    showResults();
  });
  searchInput.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!matches.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      showResults();
      event.preventDefault();
    } else if (event.key === "Enter") {
      pick(active < 0 ? 0 : active);
      event.preventDefault();
    } else if (event.key === "Escape") {
      results.hidden = true;
    }
  });
  searchInput.addEventListener("blur", function () { results.hidden = true; });

  window.kgMap = { network: network, nodes: nodes, edges: edges, info: info, choose: choose, search: search };
})();
