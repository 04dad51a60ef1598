// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Send the CSRF token with every htmx request.
  const token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (token) event.detail.headers["X-CSRFToken"] = token.content;
  });
  // The language switch submits on change.
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});
