// Progressive enhancement only: every form works without this file.
document.addEventListener("submit", (event) => {
  const form = event.target;
  // An irreversible action asks once, whether its question sits on the button that was
  // clicked ("Nộp hồ sơ" beside "Lưu nháp") or on the form; the button's wins.
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // One click, one request: a second click while the first is on its way does nothing.
  if (form.dataset.submitting) {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  setTimeout(() => delete form.dataset.submitting, 8000);
});

// A button that prints the page (the receipt); no inline handlers under the CSP.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
