import { TabSkeleton } from "./computed-header";

/** The configuration page's shell is a few indexed reads; this shows while they stream. */
export default function Loading() {
  return <TabSkeleton label="Loading the configuration…" />;
}
