import "server-only";
import { observationHealth, observationLoopState } from "@/lib/observe/loop";

/** What every portal page says when the fleet picture is no longer being refreshed (hardening case 17). */
export type ObservationBanner = { state: "off" | "stopped"; message: string } | null;

/**
 * "off": this server was started without the background loop (FLEETLINE_BACKGROUND=off);
 * "stopped": the loop has not ticked for over 10 s. Health and sync states on every page are then
 * only what was last observed, which nothing else on a page would say.
 */
export function observationBanner(now = Date.now()): ObservationBanner {
  const { state } = observationHealth(now);
  if (state === "off") {
    return { state, message: "Cluster health and sync states are not being refreshed: this server runs without background observation (FLEETLINE_BACKGROUND=off). What you see is what was last observed." };
  }
  if (state === "stopped") {
    const lastTick = observationLoopState()?.lastTickAt;
    const since = lastTick ? ` (last run ${new Date(lastTick).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")})` : "";
    return { state, message: `Cluster health and sync states are not being refreshed: the observation loop has stopped${since}. What you see is what was last observed; restart Fleetline if this lasts.` };
  }
  return null;
}
