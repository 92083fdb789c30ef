// Live credits on a return line: as the supplier types, the credits delivered are
// worked out in the page with the year's credit values, exactly as the server does
// (Σ quantity × credits per unit, rounded half-up once to 2 places). The server
// remains the authority: saving without JavaScript shows the same figure.
//
// Loaded with <script src defer> from templates/returns/supplier/line.html.
(function () {
  "use strict";

  const form = document.querySelector("form[data-line-form]");
  const label = document.getElementById("live-credits");
  if (!form || !label || typeof BigInt === "undefined") {
    return;
  }
  const bar = label.closest("[data-credits-bar]");
  const fill = bar ? bar.querySelector("[data-credits-fill]") : null;
  const inputs = Array.from(form.querySelectorAll("input[data-credits-per-unit]"));

  // "12.5" → 1250n hundredths; null for anything that is not a plain number.
  function toScaled(text, places) {
    const cleaned = String(text).replace(/[,£\s]/g, "");
    const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
    if (!match) {
      return null;
    }
    const fraction = (match[2] || "").padEnd(places, "0");
    if (fraction.length > places) {
      return null;
    }
    return BigInt(match[1] + fraction);
  }

  function format(hundredths) {
    const text = hundredths.toString().padStart(3, "0");
    return `${text.slice(0, -2)}.${text.slice(-2)}`;
  }

  const target = toScaled(form.dataset.target || "0", 2);

  function update() {
    let total = 0n; // in units of 1e-8 credits
    for (const input of inputs) {
      if (input.value.trim() === "") {
        continue;
      }
      const quantity = toScaled(input.value, 2);
      const rate = toScaled(input.dataset.creditsPerUnit, 6);
      if (quantity !== null && rate !== null) {
        total += quantity * rate;
      }
    }
    const delivered = (total + 500000n) / 1000000n; // half-up to hundredths
    const met = delivered >= target;
    label.textContent =
      `${format(delivered)} credits delivered of a target of ${format(target)}` +
      (met ? ": target met" : "") +
      " (not saved yet)";
    if (bar && fill) {
      bar.classList.toggle("app-credits-bar--met", met);
      let percent = 100;
      if (target > 0n) {
        const share = (delivered * 100n) / target;
        percent = Number(share > 100n ? 100n : share);
      }
      fill.className = fill.className.replace(/app-credits-bar__fill--\d+/, "");
      fill.classList.add(`app-credits-bar__fill--${percent}`);
    }
  }

  form.addEventListener("input", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.dataset.creditsPerUnit) {
      update();
    }
  });

  // A field reached by Tab just under the top of the screen would sit under the
  // sticky summary (the browser sees it as in view): bring its question below it
  // (WCAG 2.2 "Focus not obscured").
  const summary = document.querySelector(".app-sticky-summary");
  form.addEventListener("focusin", (event) => {
    if (!summary) {
      return;
    }
    const group = event.target.closest(".govuk-form-group") || event.target;
    const covered = summary.getBoundingClientRect().bottom;
    const top = group.getBoundingClientRect().top;
    if (top < covered) {
      window.scrollBy(0, top - covered - 10);
    }
  });

  // Figures typed before this script ran (a slow connection) or put back by the
  // browser on going back to the page: show their credits at once.
  if (inputs.some((input) => input.value !== input.defaultValue)) {
    update();
  }
})();
