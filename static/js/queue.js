// The order queue's bulk bar and filter panel (templates/orders/queue.html).
//
// Listeners sit on the document, so the queue htmx swaps in after every filter change and
// every action behaves the same. Without this file everything still works: the choices are
// plain form fields, only the conveniences below are missing.
"use strict";

(() => {
  const SCOPE = 'input[name="scope"][value="matching"]';
  const ROW_BOX = 'input[type="checkbox"][name="orders"]';

  function bulkForm() {
    return document.getElementById("bulk-form");
  }

  function scopeBox() {
    const form = bulkForm();
    return form ? form.querySelector(SCOPE) : null;
  }

  // "All N orders matching these filters" ticks every box on the page, as the header box
  // would; taking one order out again means the person wants the ticked ones, not all.
  document.addEventListener(
    "change",
    (event) => {
      const field = event.target;
      if (!(field instanceof HTMLInputElement)) return;
      const scope = scopeBox();
      if (!scope) return;
      if (field === scope && scope.checked) {
        for (const box of document.querySelectorAll(`${ROW_BOX}, [data-select-all="orders"]`)) {
          box.checked = true;
        }
      } else if (field.matches(`${ROW_BOX}, [data-select-all="orders"]`) && !field.checked) {
        scope.checked = false;
      }
    },
    true,
  );

  // An action over every matching order says how many before it runs. htmx asks through
  // `htmx:confirm` (the cancel button's own question is replaced by the one with the count);
  // a plain submit (another app's action) through the form's submit event.
  function matchingQuestion(button) {
    const scope = scopeBox();
    if (!scope || !scope.checked || !(button instanceof Element)) return null;
    return button.closest("#bulk-form") ? button.dataset.confirmMatching || null : null;
  }

  document.addEventListener("htmx:confirm", (event) => {
    const question = matchingQuestion(event.detail.elt);
    if (!question) return;
    event.preventDefault();
    if (window.confirm(question)) event.detail.issueRequest(true);
  });

  document.addEventListener("submit", (event) => {
    const question = matchingQuestion(event.submitter);
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // The filter panel (<details data-keep-open="key">) stays as the person left it when the
  // queue is swapped in again after a filter change, and after a reload in the same tab.
  document.addEventListener(
    "toggle",
    (event) => {
      const panel = event.target;
      if (panel instanceof HTMLDetailsElement && panel.dataset.keepOpen) {
        sessionStorage.setItem(`oms.open.${panel.dataset.keepOpen}`, panel.open ? "1" : "");
      }
    },
    true,
  );

  function restorePanels(root) {
    for (const panel of root.querySelectorAll("details[data-keep-open]")) {
      if (sessionStorage.getItem(`oms.open.${panel.dataset.keepOpen}`)) panel.open = true;
    }
  }

  document.addEventListener("htmx:afterSwap", () => restorePanels(document));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => restorePanels(document));
  } else {
    restorePanels(document);
  }
})();
