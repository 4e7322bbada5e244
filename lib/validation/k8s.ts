// Kubernetes validation in one import: names and labels, Flux durations, label selectors.
export * from "./names";
export * from "./duration";
export * from "./label-selector";
