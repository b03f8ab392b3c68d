// "/" anywhere in the back office puts the cursor in the header's search box (as on GitHub or
// Gmail), so finding an order is: "/", what the customer says, Enter. The box keeps its text
// selected, so a new search types over the last one. A "/" typed into a field stays a "/".
"use strict";

document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.defaultPrevented || event.isComposing) return;
  const target = event.target;
  if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) {
    return;
  }
  const box = document.getElementById("global-search-q");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
