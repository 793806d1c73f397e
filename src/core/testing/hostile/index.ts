/** Test-only: the hostile corpus (SECURITY T1–T13, D1–D5) and its stream builders. See ROWS.md. */
export * from "./types";
export * from "./bombs";
export * from "./many";
export * from "./corpus";
export * from "./images";
