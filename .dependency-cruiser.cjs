/**
 * The project's layering, checked by `npm run lint` (dependency-cruiser):
 * arrows point one way, server → pipeline → stages → providers and stores →
 * core, with no cycle anywhere.
 */
module.exports = {
  forbidden: [
    { name: "no-cycle", severity: "error", comment: "Modules must not import each other in a circle.", from: {}, to: { circular: true } },
    {
      name: "core-is-vocabulary",
      severity: "error",
      comment: "src/core holds the shared vocabulary (types, errors, clock, catalogue, tokens): it imports no stage, store, provider or face.",
      from: { path: "^src/core/" },
      to: { path: "^src/(pipeline|server|providers|cache|sessions|tools|limits|usage|routing|resilience|auth)/" },
    },
    {
      name: "pipeline-is-below-the-faces",
      severity: "error",
      comment: "The pipeline serves every face and knows none of them.",
      from: { path: "^src/pipeline/" },
      to: { path: "^src/server/" },
    },
    {
      name: "stages-below-the-pipeline",
      severity: "error",
      comment: "Stores, providers, routing and resilience are used by the pipeline, never the other way round.",
      from: { path: "^src/(providers|cache|sessions|tools|limits|usage|routing|resilience|auth)/" },
      to: { path: "^src/(pipeline|server)/" },
    },
    { name: "no-unresolvable", severity: "error", from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.(test|fixtures)\\.ts$" },
    tsPreCompilationDeps: true,
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
