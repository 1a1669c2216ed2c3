// The admin's export page: import-export wires its "select all" box with an inline
// onchange, which the Content-Security-Policy refuses; wire it from here instead.
document.addEventListener("change", (event) => {
  if (event.target.matches(".select-toggle") && typeof onSelectToggleChange === "function") {
    onSelectToggleChange(event);
  }
});
