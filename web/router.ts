/**
 * Hash routes (#/keys, #/budgets, #/requests; anything else is the
 * playground): one section shown at a time, the navigation link of the shown
 * one marked aria-current, and the page's data loaded when it is entered, so
 * that a page never shows figures older than its last visit.
 */

/** A page: its section's id and what to do when it is shown (or the key changes while it is). */
export interface Page {
  section: string;
  enter?: () => void;
}

export function createRouter(pages: Record<string, Page>, fallback: string): { current(): string; refresh(): void } {
  const current = () => {
    const name = location.hash.replace(/^#\/?/, "");
    return name in pages ? name : fallback;
  };
  const show = () => {
    const name = current();
    for (const [n, page] of Object.entries(pages)) {
      const section = document.getElementById(page.section);
      if (section) section.hidden = n !== name;
    }
    for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a[data-page]")) {
      if (link.dataset["page"] === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    pages[name]?.enter?.();
  };
  window.addEventListener("hashchange", () => {
    show();
    // Move focus to the page's heading, as a page load would, for keyboard and screen reader users.
    document.querySelector<HTMLElement>(`#${pages[current()]?.section} h2`)?.focus();
  });
  show();
  return { current, refresh: () => pages[current()]?.enter?.() };
}
