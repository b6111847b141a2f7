// texgen preview: draws a preset's state (graph, thumbnails, outputs, parameters, error)
// and keeps it current. Live, the state comes from the server (/api/state, refreshed on
// each Server-Sent Event of /api/events; controls POST /api/render). Static, it comes from
// data.js (window.TEXGEN_DATA) and the page has no controls.
"use strict";

(function () {
  const COLUMN = 186;  // px between graph layers
  const ROW = 164;     // px between nodes of a layer
  const BOX = 150;     // node box width (style.css)
  const baked = window.TEXGEN_DATA || null;
  const $ = (id) => document.getElementById(id);
  const viewer = window.TexgenViewer.create($("viewer"));
  const collapsed = new Set();   // subgraph instances shown as one box
  const touched = {};            // parameter values the user set: sent as overrides
  let seedTouched = false;       // whether the user set the seed: sent too (null: the file's)
  let state = null;
  let structure = "";            // what the graph drawing was built from
  let controlsKey = "";          // what the parameter form was built from

  function element(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  // --- state ---------------------------------------------------------------------------

  function show(next) {
    state = next;
    document.title = `${next.preset} · texgen preview`;
    $("title").textContent = next.preset;
    showStatus(next);
    showError(next.error);
    if (next.graph) {
      drawGraph(next.graph);
      drawOutputs(next.graph);
      viewer.setMaps(materialMaps(next.graph));
    }
    drawParameters(next);
  }

  function showStatus(next) {
    const stats = next.stats;
    const parts = next.size ? [`${next.size[0]}×${next.size[1]}`, `seed ${next.seed}`] : [];
    if (!next.static && !next.error) {
      parts.push(`${stats.computed} computed, ${stats.cached} cached`,
                 `${stats.seconds.toFixed(2)} s`);
    }
    $("status").textContent = parts.join(" · ");
  }

  function showError(error) {
    const box = $("error");
    box.hidden = !error;
    box.replaceChildren();
    if (!error) return;
    box.appendChild(element("strong", {text: error.problems.length ?
      "The preset has problems; showing the last good render." :
      "The render failed; showing the last good render."}));
    const lines = error.problems.length ? error.problems.map(problemText) :
      error.message.split("\n");
    box.appendChild(element("ul", {}, lines.map((line) => element("li", {text: line}))));
  }

  function problemText(problem) {
    const where = [problem.node && `node '${problem.node}'`, problem.key && `key '${problem.key}'`]
      .filter(Boolean).join(", ");
    return `${problem.file ? problem.file + ": " : ""}${where ? where + ": " : ""}${problem.message}`;
  }

  // --- graph ---------------------------------------------------------------------------

  // The outermost collapsed instance holding node or instance `id`, or null.
  function collapsedAround(id) {
    const parts = id.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const group = parts.slice(0, depth).join("/");
      if (collapsed.has(group)) return group;
    }
    return null;
  }

  // The box a node is drawn in: its own, or its collapsed instance's.
  function owner(id) {
    const group = collapsedAround(id);
    return group === null ? id : "group:" + group;
  }

  function drawGraph(graph) {
    const key = JSON.stringify([graph.nodes.map((n) => [n.id, n.type, n.layer, n.row]),
                                graph.edges, [...collapsed]]);
    if (key !== structure) {
      structure = key;
      buildGraph(graph);
    }
    const failing = new Set((state.error ? state.error.problems : []).map((p) => p.node));
    const changed = new Set(state.stats.changed);
    for (const node of graph.nodes) {
      const box = document.querySelector(`.node[data-id="${CSS.escape(node.id)}"]`);
      if (!box) continue;
      const img = box.querySelector("img");
      if (img && node.outputs.length && img.dataset.token !== String(node.outputs[0].token)) {
        img.src = node.outputs[0].thumb;
        img.dataset.token = node.outputs[0].token;
      }
      box.classList.toggle("has-error", failing.has(node.id));
      box.classList.toggle("changed", state.version > 1 && changed.has(node.id));
    }
  }

  function buildGraph(graph) {
    const area = $("graph");
    const svg = $("edges");
    area.querySelectorAll(".node, .group").forEach((n) => n.remove());
    svg.replaceChildren();
    const places = {};  // box id -> {x, y, node (null for an instance's box), box}
    for (const node of graph.nodes) {
      const id = owner(node.id);
      const x = node.layer * COLUMN + 8;
      const y = node.row * ROW + 30;  // room for an instance frame's button above
      if (id !== node.id) {  // inside a collapsed instance: the group box, at its last node
        const place = places[id];
        if (!place || place.x <= x) places[id] = {x, y, node: null};
        continue;
      }
      places[id] = {x, y, node};
    }
    for (const [id, place] of Object.entries(places)) {
      const box = place.node ? nodeBox(place.node) : groupBox(id.slice(6));
      box.style.left = place.x + "px";
      box.style.top = place.y + "px";
      area.appendChild(box);
      place.box = box;
    }
    drawGroupFrames(graph, places, area);
    let width = 0, height = 0;
    for (const place of Object.values(places)) {
      width = Math.max(width, place.x + BOX + 16);
      height = Math.max(height, place.y + place.box.offsetHeight + 16);
    }
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    area.style.width = width + "px";
    area.style.height = height + "px";
    for (const edge of graph.edges) {
      const from = places[owner(edge.from)];
      const to = places[owner(edge.to)];
      if (from === to) continue;  // inside one collapsed instance
      const y1 = portY(from, "outputs", edge.from_port);
      const y2 = portY(to, "inputs", edge.to_port);
      const x1 = from.x + BOX, x2 = to.x, bend = Math.max(30, (x2 - x1) / 2);
      const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
      path.setAttribute("d", `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`);
      path.setAttribute("class", "edge");
      path.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "title"))
        .textContent = `${edge.from}.${edge.from_port} → ${edge.to}.${edge.to_port}`;
      svg.appendChild(path);
    }
  }

  // The y of a port's dot on a box (the box's middle when the port is not drawn).
  function portY(place, side, port) {
    const dot = place.box.querySelector(`.${side} [data-port="${CSS.escape(port)}"]`);
    if (!dot) return place.y + place.box.offsetHeight / 2;
    return place.y + dot.offsetTop + dot.offsetHeight / 2;
  }

  function nodeBox(node) {
    const ports = (list, side) => element("div", {class: side},
      list.map((port) => element("span", {class: "port", "data-port": port.name,
                                          title: `${port.name} (${port.type})`,
                                          text: port.name})));
    const first = node.outputs[0];
    const picture = first ? element("img", {alt: `${node.id}.${first.name}`, width: 96,
                                            height: 96, title: node.doc}) : element("div");
    const box = element("div", {class: "node", "data-id": node.id}, [
      element("div", {class: "node-id", text: node.group ? node.id.slice(node.group.length + 1)
                                                         : node.id, title: node.id}),
      element("div", {class: "node-type", text: node.type}),
      element("div", {class: "node-body"}, [ports(node.inputs, "inputs"), picture,
                                            ports(node.outputs, "outputs")])]);
    if (first) {  // the image of the render shown now, full size where the page has it
      picture.addEventListener("click", () => {
        const now = state.graph.nodes.find((n) => n.id === node.id).outputs[0];
        window.open(now.image || now.thumb, "_blank");
      });
    }
    return box;
  }

  function groupBox(group) {
    const info = state.graph.groups.find((g) => g.id === group) || {};
    const button = element("button", {type: "button", class: "expand", text: "expand",
                                      title: "Show the instance's nodes"});
    button.addEventListener("click", () => { collapsed.delete(group); drawGraph(state.graph); });
    return element("div", {class: "node group-box", "data-group": group}, [
      element("div", {class: "node-id", text: group}),
      element("div", {class: "node-type", text: `preset ${info.preset || ""}`}),
      button]);
  }

  // A frame around each expanded instance's nodes, with a button to collapse it.
  function drawGroupFrames(graph, places, area) {
    for (const group of graph.groups) {
      if (collapsed.has(group.id) || collapsedAround(group.id) !== null) continue;
      const members = graph.nodes.filter((n) => n.id.startsWith(group.id + "/"))
        .map((n) => places[n.id]).filter(Boolean);
      if (!members.length) continue;
      const left = Math.min(...members.map((p) => p.x)) - 4;
      const top = Math.min(...members.map((p) => p.y)) - 22;
      const right = Math.max(...members.map((p) => p.x + BOX)) + 4;
      const bottom = Math.max(...members.map((p) => p.y + p.box.offsetHeight)) + 4;
      const button = element("button", {type: "button", class: "collapse",
                                        text: `${group.id} ▾`, title: "Collapse the instance"});
      button.addEventListener("click", () => { collapsed.add(group.id); drawGraph(state.graph); });
      const frame = element("div", {class: "group"}, [button]);
      Object.assign(frame.style, {left: left + "px", top: top + "px",
                                  width: right - left + "px", height: bottom - top + "px"});
      area.appendChild(frame);
    }
  }

  // --- outputs and the 3D view ---------------------------------------------------------

  function outputPort(graph, output) {
    const node = graph.nodes.find((n) => n.id === output.node);
    return node.outputs.find((p) => p.name === output.port);
  }

  function drawOutputs(graph) {
    const area = $("outputs");
    const names = graph.outputs.map((o) => o.name).join(",");
    if (area.dataset.names !== names) {
      area.dataset.names = names;
      area.replaceChildren(...graph.outputs.map((output) => element("figure",
        {class: "output", "data-output": output.name}, [
          element("div", {class: "tile"}, [element("img", {alt: output.name})]),
          element("figcaption", {text: output.name})])));
    }
    for (const output of graph.outputs) {
      const port = outputPort(graph, output);
      const figure = area.querySelector(`[data-output="${CSS.escape(output.name)}"]`);
      const img = figure.querySelector("img");
      if (img.dataset.token !== String(port.token)) {
        img.src = port.image;
        img.dataset.token = port.token;
        figure.querySelector(".tile").style.backgroundImage = `url("${port.image}")`;
      }
    }
  }

  // The material's maps by role (texgen.roles): basecolor, normal, height, roughness,
  // metallic, ao, orm.
  function materialMaps(graph) {
    const maps = {};
    for (const output of graph.outputs) {
      if (output.role && !(output.role in maps)) maps[output.role] = outputPort(graph, output).image;
    }
    return maps;
  }

  $("tile").addEventListener("change", (event) => {
    $("outputs").classList.toggle("tiled", event.target.checked);
    viewer.setRepeat(event.target.checked ? 2 : 1);
  });
  $("parallax").addEventListener("change", (event) => viewer.setParallax(event.target.checked));
  document.querySelectorAll('input[name="shape"]').forEach((radio) =>
    radio.addEventListener("change", () => viewer.setShape(radio.value)));

  // --- parameters ----------------------------------------------------------------------

  function drawParameters(next) {
    const form = $("params");
    const key = JSON.stringify([next.static, next.parameters.map((p) => [p.name, p.type, p.min,
                                                                         p.max, p.choices])]);
    if (key !== controlsKey) {
      controlsKey = key;
      form.replaceChildren(...(next.static ? [valueTable(next)] : [seedControl(next),
        ...next.parameters.map(control), resetButton()]));
    }
    if (next.static) return;
    for (const param of next.parameters) {
      const input = form.querySelector(`[name="${CSS.escape(param.name)}"]`);
      if (input && !(param.name in touched) && document.activeElement !== input) {
        setInput(input, param);
      }
    }
    const seed = form.querySelector('[name="@seed"]');
    if (document.activeElement !== seed) seed.value = next.seed;
  }

  function valueTable(next) {
    return element("table", {class: "values"}, next.parameters.map((param) =>
      element("tr", {}, [element("th", {text: param.name, title: param.doc}),
                         element("td", {text: param.derived || (typeof param.value === "string"
                           ? param.value : JSON.stringify(param.value))})])));
  }

  function seedControl(next) {
    const input = element("input", {type: "number", name: "@seed", min: 0, step: 1,
                                    value: next.seed});
    input.addEventListener("change", () => { seedTouched = true; requestRender(); });
    return element("label", {class: "param"}, [element("span", {text: "seed"}), input]);
  }

  // Back to the preset file's values: no overrides.
  function resetButton() {
    const button = element("button", {type: "button", id: "reset", text: "reset parameters",
                                      title: "Use the values the preset file gives"});
    button.addEventListener("click", () => {
      for (const name of Object.keys(touched)) delete touched[name];
      seedTouched = false;
      requestRender({seed: null});
    });
    return button;
  }

  function control(param) {
    let input;
    const slider = (param.type === "float" || param.type === "int") &&
      param.min !== null && param.max !== null;
    if (param.derived) {
      input = element("code", {text: param.derived});
    } else if (slider) {
      const step = param.type === "int" ? 1 : (param.max - param.min) / 1000;
      input = element("input", {type: "range", min: param.min, max: param.max, step});
    } else if (param.type === "bool") {
      input = element("input", {type: "checkbox"});
    } else if (param.type === "enum") {
      input = element("select", {}, param.choices.map((c) => element("option", {value: c, text: c})));
    } else if (param.type === "color") {
      input = element("input", {type: "color"});
    } else if (["float", "int", "seed"].includes(param.type)) {
      input = element("input", {type: "number", step: param.type === "float" ? "any" : 1});
    } else {
      input = element("input", {type: "text"});
    }
    const shown = element("output", {});
    input.name = param.name;
    input.dataset.type = param.type;
    if (!param.derived) {
      setInput(input, param, shown);
      input.addEventListener(slider ? "input" : "change", () => {
        touched[param.name] = inputValue(input);
        shown.textContent = formatValue(touched[param.name]);
        requestRender();
      });
    }
    const title = `${param.doc ? param.doc + " " : ""}(default ${formatValue(param.default)})`;
    return element("label", {class: "param", title},
                   [element("span", {text: param.name}), input, shown]);
  }

  function setInput(input, param, shown) {
    if (param.type === "bool") input.checked = param.value;
    else if (param.type === "color") input.value = String(param.value).slice(0, 7);
    else input.value = param.value;
    const out = shown || input.parentNode.querySelector("output");
    if (out) out.textContent = formatValue(param.value);
  }

  function inputValue(input) {
    const type = input.dataset.type;
    if (type === "bool") return input.checked;
    if (type === "int" || type === "seed") return parseInt(input.value, 10);
    if (type === "float") return parseFloat(input.value);
    return input.value;
  }

  function formatValue(value) {
    return typeof value === "number" && !Number.isInteger(value) ? value.toFixed(3) : String(value);
  }

  // One render request at a time; changes made meanwhile go in the next one.
  // `extra` goes into the request as it is (reset: {seed: null}, the file's seed).
  let inFlight = false, pending = null;
  async function requestRender(extra) {
    if (inFlight) { pending = Object.assign(pending || {}, extra); return; }
    inFlight = true;
    try {
      const body = Object.assign({overrides: touched}, extra);
      const seed = parseInt($("params").querySelector('[name="@seed"]').value, 10);
      if (seedTouched && !Number.isNaN(seed)) body.seed = seed;
      const response = await fetch("api/render", {method: "POST",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
      show(await response.json());
    } finally {
      inFlight = false;
      if (pending) { const next = pending; pending = null; requestRender(next); }
    }
  }

  // --- start ---------------------------------------------------------------------------

  async function refresh() {
    const response = await fetch("api/state", {cache: "no-store"});
    show(await response.json());
  }

  if (baked) {
    show(baked);
  } else {
    refresh().then(() => {
      const events = new EventSource("api/events");
      events.addEventListener("state", (event) => {
        if (Number(event.data) > state.version) refresh();
      });
    });
  }
})();
