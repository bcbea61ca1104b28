// The settings page's behaviour. No inline script: the Content-Security-Policy allows only this file.
"use strict";

// A form with data-confirm asks before it is sent (Delete).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (message && !window.confirm(message)) event.preventDefault();
});
