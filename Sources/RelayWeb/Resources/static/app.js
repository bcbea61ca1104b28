// The settings page's behaviour. No inline script: the Content-Security-Policy allows only this file.
"use strict";

// A form (or the button that sends it) with data-confirm asks before it is sent (Delete).
document.addEventListener("submit", (event) => {
  const source = event.submitter && event.submitter.dataset.confirm ? event.submitter : event.target;
  const message = source.dataset ? source.dataset.confirm : undefined;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Enter in a field with data-enter presses the button of that action ("Add", "Set", …) rather
// than the form's first button (Save).
document.addEventListener("keydown", (event) => {
  const action = event.target.dataset ? event.target.dataset.enter : undefined;
  if (event.key !== "Enter" || !action || !event.target.form) return;
  const button = event.target.form.querySelector(`button[name="action"][value="${action}"]`);
  if (!button) return;
  event.preventDefault();
  button.click();
});

// Buttons with data-dialog open that modal dialog: the browser keeps focus inside it and closes it
// with Escape. A dialog marked data-open (a refusal to show in it) opens when the page loads.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-dialog]");
  if (opener) {
    const dialog = document.getElementById(opener.dataset.dialog);
    if (dialog) dialog.showModal();
  }
  const closer = event.target.closest("[data-close-dialog]");
  if (closer) closer.closest("dialog").close();
});
document.addEventListener("DOMContentLoaded", () => {
  for (const dialog of document.querySelectorAll("dialog[data-open]")) dialog.showModal();
});

// The Deliveries view: new attempts arrive over Server-Sent Events and are added at the top, every
// value set as text (never markup).
function cell(text, wrap) {
  const td = document.createElement("td");
  const inner = wrap ? document.createElement(wrap) : td;
  inner.textContent = text;
  if (wrap) td.append(inner);
  return td;
}

function deliveryRow(row, formToken) {
  const tr = document.createElement("tr");
  const time = cell(row.shownTime, "time");
  time.firstChild.setAttribute("datetime", row.time);
  tr.append(time, cell(row.webhook), cell(row.eventType), cell(row.eventId, "code"),
    cell("#" + row.attempt), cell(row.status), cell(row.duration));
  const outcome = document.createElement("td");
  const badge = document.createElement("span");
  badge.className = "outcome outcome-" + row.outcome;
  badge.textContent = row.outcome;
  outcome.append(badge);
  if (row.error) {
    const reason = document.createElement("span");
    reason.className = "reason";
    reason.textContent = row.error;
    outcome.append(reason);
  }
  const actions = document.createElement("td");
  actions.className = "actions";
  if (row.retryable) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/ui/messages/" + encodeURIComponent(row.messageId) + "/retry";
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "_csrf";
    token.value = formToken;
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Retry";
    button.setAttribute("aria-label", "Retry " + row.eventId);
    form.append(token, button);
    actions.append(form);
  }
  tr.append(outcome, actions);
  return tr;
}

document.addEventListener("DOMContentLoaded", () => {
  const body = document.querySelector("tbody[data-stream]");
  if (!body || !window.EventSource) return;
  const status = document.querySelector("[data-live-status]");
  const tokenInput = document.querySelector('input[name="_csrf"]');
  const source = new EventSource(body.dataset.stream);
  source.addEventListener("open", () => { if (status) status.textContent = "Live: new attempts appear at the top."; });
  source.addEventListener("error", () => { if (status) status.textContent = "Reconnecting…"; });
  source.addEventListener("attempt", (event) => {
    const rows = JSON.parse(event.data);
    for (const row of rows.reverse()) body.prepend(deliveryRow(row, tokenInput ? tokenInput.value : ""));
    body.closest("table").hidden = false;
    const empty = document.querySelector(".empty");
    if (empty) empty.remove();
  });
});

// Tab and Shift-Tab stay inside an open modal dialog.
document.addEventListener("keydown", (event) => {
  const dialog = document.querySelector("dialog[open]");
  if (event.key !== "Tab" || !dialog) return;
  const controls = [...dialog.querySelectorAll("button, input, select, textarea, a[href]")].filter((e) => !e.disabled);
  if (controls.length === 0) return;
  const first = controls[0];
  const last = controls[controls.length - 1];
  if (!dialog.contains(document.activeElement)) {
    event.preventDefault();
    first.focus();
  } else if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
});

// Buttons with data-copy copy the value of that field ("Copy URL", "Copy to clipboard") and say
// so; where the clipboard is not allowed, the field is selected for the person to copy.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  const done = (text) => { button.textContent = text; };
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(() => done("Copied"), () => done("Selected: press Ctrl+C"));
  } else {
    done(document.execCommand("copy") ? "Copied" : "Selected: press Ctrl+C");
  }
});
