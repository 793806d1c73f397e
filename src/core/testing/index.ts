/** Test-only builders: tars, images and indexes, and a fake registry as a fetch function. Never imported by app code. */
export * from "./tar";
export * from "./image";
export * from "./fake-registry";
export * from "./noise";
