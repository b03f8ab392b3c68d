// The back office's own behaviour, switched on by data attributes in the templates.
//
// The Content-Security-Policy runs only scripts served by the app, so there is no inline
// script, no on…= attribute and no hx-on in any template: what they did lives here. Listeners
// sit on the document, so rows and panels that htmx swaps in later behave the same. `change`
// is heard in the capture phase, before htmx's own listeners, so a form htmx sends on change
// already carries what these handlers set.
"use strict";

(() => {
  // A header checkbox (data-select-all="<name>") ticks or clears its table's boxes of that name.
  function selectAll(box) {
    const selector = `input[type="checkbox"][name="${CSS.escape(box.dataset.selectAll)}"]`;
    for (const row of box.closest("table").querySelectorAll(selector)) {
      row.checked = box.checked;
    }
  }

  // The dashboard's period: a preset clears the custom dates, typing a date picks "custom".
  function periodChanged(field) {
    const form = field.form;
    if (field.matches("[data-period-preset]") && field.value !== "custom") {
      form.elements.from.value = "";
      form.elements.to.value = "";
    } else if (field.matches("[data-period-custom]")) {
      form.elements.period.value = "custom";
    }
  }

  // A scan form (data-scan-field="<field name>") keeps its scan field focused between scans.
  function scanField(form) {
    return form.elements[form.dataset.scanField];
  }

  document.addEventListener(
    "change",
    (event) => {
      const field = event.target;
      if (!(field instanceof Element)) return;
      if (field.matches("[data-select-all]")) selectAll(field);
      if (field.matches("[data-period-preset], [data-period-custom]")) periodChanged(field);
      const scanForm = field.closest("[data-scan-field]");
      if (scanForm && (field.type === "radio" || field.type === "checkbox")) {
        scanField(scanForm).focus();
      }
    },
    true,
  );

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    if (target.closest("[data-print]")) window.print();
    const scanForm = target.closest("[data-scan-field]");
    if (scanForm && !target.closest("input, select, textarea, label")) {
      setTimeout(() => scanField(scanForm).focus());
    }
  });

  // Typing in a field of class "recalc" asks for a recalculation (the manual order's totals):
  // the form listens for the `recalc` event with a delay, so a burst of keys sends one request.
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (field instanceof Element && field.classList.contains("recalc")) {
      field.dispatchEvent(new CustomEvent("recalc", { bubbles: true }));
    }
  });

  // The scan field is emptied as the scan form's request leaves, so a code scanned before the
  // answer arrives is not lost, and it takes the focus back once the answer is in place.
  document.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt;
    if (form instanceof HTMLFormElement && form.matches("[data-scan-field]")) {
      scanField(form).value = "";
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    const scanForm = event.target instanceof Element && event.target.closest("[data-scan-field]");
    if (!scanForm) return;
    const active = document.activeElement;
    if (!scanForm.contains(active) || active === document.body) scanField(scanForm).focus();
  });
})();
