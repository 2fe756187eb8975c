// The CompStat page: draw the Vega-Lite charts and the incident map after the first load and
// after every htmx swap. Specs and GeoJSON come inline in <script type="application/json">
// elements, so nothing is fetched from anywhere but this app: no CDN, no base-map tiles.
import * as maplibregl from "/static/vendor/maplibre-gl/dist/maplibre-gl.mjs";

const maps = new Map();
const PAPER = {
  version: 8,
  sources: {},
  layers: [{ id: "paper", type: "background", paint: { "background-color": "#f4f6f9" } }],
};

function inline(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

// Vega gives an empty mark container (a layer with nothing to draw, such as no week outside
// the band) a graphics role but no name; screen readers would announce an unnamed graphic.
function hideEmptyMarks(el) {
  for (const g of el.querySelectorAll("svg g[role]:empty")) g.setAttribute("aria-hidden", "true");
}

function drawCharts(root) {
  for (const el of root.querySelectorAll("[data-vega-spec]:not([data-drawn])")) {
    el.dataset.drawn = "true";
    window
      .vegaEmbed(el, inline(el.dataset.vegaSpec), { renderer: "svg", actions: false })
      .then(() => {
        hideEmptyMarks(el);
        el.dataset.ready = "true";
      })
      .catch((error) => { el.textContent = `The chart could not be drawn: ${error.message}`; });
  }
}

function addLayers(map, data) {
  if (data.areas) {
    const chosen = ["==", ["get", "area_id"], data.selected ?? ""];
    map.addSource("areas", { type: "geojson", data: data.areas });
    map.addLayer({ id: "area-fill", type: "fill", source: "areas",
      paint: { "fill-color": "#14325c", "fill-opacity": ["case", chosen, 0.12, 0] } });
    map.addLayer({ id: "area-line", type: "line", source: "areas",
      paint: { "line-color": "#14325c", "line-width": ["case", chosen, 2.5, 1] } });
  }
  map.addSource("incidents", { type: "geojson", data: data.points });
  map.addLayer({ id: "incidents", type: "circle", source: "incidents",
    paint: { "circle-radius": 4, "circle-color": "#b4370c",
      "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } });
}

function drawMaps(root) {
  for (const el of root.querySelectorAll("[data-map]:not([data-drawn])")) {
    el.dataset.drawn = "true";
    const data = inline(el.dataset.map);
    if (!data.bounds) {
      el.textContent = "Nothing to map: no located incident in this period.";
      continue;
    }
    const map = new maplibregl.Map({
      container: el, style: PAPER, bounds: data.bounds,
      fitBoundsOptions: { padding: 24, maxZoom: 15 }, attributionControl: false,
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.on("load", () => { addLayers(map, data); });
    map.on("idle", () => { el.dataset.ready = "true"; });
    maps.set(el, map);
  }
}

function draw(root) {
  drawCharts(root);
  drawMaps(root);
}

// A map whose element htmx swaps out is removed, so its WebGL context is freed.
document.body.addEventListener("htmx:beforeCleanupElement", (event) => {
  const map = maps.get(event.detail.elt);
  if (map) {
    map.remove();
    maps.delete(event.detail.elt);
  }
});
document.body.addEventListener("htmx:load", (event) => draw(event.detail.elt));
draw(document);
