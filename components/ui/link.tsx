// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- the one place that wraps next/link
import NextLink from "next/link";
import type { ComponentProps } from "react";

/**
 * next/link without automatic prefetch. Every Fleetline page is dynamic (live fleet data), so a
 * prefetch is a whole server render of the target page: a page with a dozen links in view (the
 * navigation, tabs, filters) cost a dozen renders per page view, nearly all for pages nobody then
 * opened (browser-suite traces showed 8-12 RSC requests behind each navigation). Links still
 * navigate client-side; they fetch when followed.
 */
export default function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />;
}
