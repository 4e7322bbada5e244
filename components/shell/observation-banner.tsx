import type { ObservationBanner as Banner } from "@/lib/queries/observation";

/** Above every portal page while the fleet picture is not being refreshed; a region, so it is found and read first. */
export function ObservationBanner({ banner }: { banner: Banner }) {
  if (!banner) return null;
  return (
    <div role="region" aria-label="Observation stopped" className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      <span aria-hidden="true">⚠ </span>
      {banner.message}
    </div>
  );
}
