// Social value returns portal: start GOV.UK Frontend's components.
//
// Loaded from templates/base.html as <script type="module">. Module scripts
// run after the document is parsed and only in browsers that support ES
// modules, which is what govuk-frontend 6 needs. The GOV.UK page template
// sets the `govuk-frontend-supported` class with an inline script; our
// Content-Security-Policy forbids inline scripts, so it is set here instead.
// (govuk-frontend's `isSupported()` checks for exactly this class on <body>,
// and its CSS uses it to hide e.g. conditionally revealed questions.)
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();

// Wide-table wrappers (.app-overflow-x) must be reachable by keyboard when
// they actually scroll (WCAG 2.1.1; axe rule `scrollable-region-focusable`).
// Templates can set tabindex/role/aria-label themselves; this fills the gap
// for those that do not, naming the region after the table's caption.
function makeScrollRegionsFocusable() {
  for (const wrapper of document.querySelectorAll(".app-overflow-x")) {
    const scrolls = wrapper.scrollWidth > wrapper.clientWidth;
    if (wrapper.dataset.appScrollManaged !== "true" && wrapper.hasAttribute("tabindex")) {
      continue; // the template made its own choice
    }
    wrapper.dataset.appScrollManaged = "true";
    if (scrolls) {
      wrapper.setAttribute("tabindex", "0");
      if (!wrapper.hasAttribute("role")) {
        const caption = wrapper.querySelector("caption");
        const name = caption ? caption.textContent.trim() : "";
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-label", name ? `${name} (scrolls sideways)` : "Table (scrolls sideways)");
        wrapper.dataset.appScrollRole = "true";
      }
    } else {
      wrapper.removeAttribute("tabindex");
      if (wrapper.dataset.appScrollRole === "true") {
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
        delete wrapper.dataset.appScrollRole;
      }
    }
  }
}

makeScrollRegionsFocusable();
window.addEventListener("resize", makeScrollRegionsFocusable);

// Content swapped in by htmx needs its components started too.
document.addEventListener("htmx:load", (event) => {
  if (event.target instanceof HTMLElement && event.target !== document.body) {
    initAll({ scope: event.target });
    makeScrollRegionsFocusable();
  }
});
