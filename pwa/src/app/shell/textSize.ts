// Large text: watch the root font size and mark <html class="large-text"> at 1.5× the default or more.
//
// CSS alone cannot tell: media queries measure `em` against the browser's initial font size, not
// against the root's actual size. A 1rem-wide invisible probe under a ResizeObserver can, and it
// follows every change (a setting, zoom) without polling. styles/large-text.css says what changes with it.
import "../styles/large-text.css";

const LARGE = 24; // px: 1.5 × 16

export function watchTextSize(): void {
  if (typeof ResizeObserver === "undefined") return;
  const probe = document.createElement("div");
  probe.setAttribute("aria-hidden", "true");
  probe.style.cssText = "position:absolute;inline-size:1rem;block-size:0;visibility:hidden;pointer-events:none";
  document.body.append(probe);
  new ResizeObserver(() => {
    document.documentElement.classList.toggle("large-text", probe.getBoundingClientRect().width >= LARGE);
  }).observe(probe);
}
