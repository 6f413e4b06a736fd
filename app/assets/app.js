// Starts GOV.UK Frontend's components and marks the page as scripted. This lives in a file,
// not an inline <script>, so the Content-Security-Policy needs no 'unsafe-inline'.
import { initAll } from "/static/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
// On the page, and on whatever htmx brings in later: a boosted link or form replaces the
// body's content, and a field's block is swapped as it is saved. Each component starts once,
// on arrival; an error summary that arrives is focused, as on a page load (GOV.UK's pattern).
htmx.onLoad((content) => initAll({ scope: content }));

// An answer's block comes back from its autosave holding the answer as saved. When the person
// has changed it again meanwhile (that save is queued: keyboard users move through radio
// buttons with the arrow keys, choosing as they go), putting the block back would undo their
// newer choice, move their focus, and have the queued save send the old answer. Keep what
// they have, and take only the revision the queued save must quote.
document.body.addEventListener("htmx:beforeSwap", (event) => {
  const block = event.detail.elt;
  if (!block.classList.contains("app-question") || event.detail.xhr.status !== 200) return;
  const question = block.id.replace("question-", "");
  const sent = event.detail.requestConfig.parameters;
  const now = new FormData(block.closest("form"));
  const changed = ["answer", "comment"].some(
    (field) => (now.get(`${field}-${question}`) ?? "") !== (sent[`${field}-${question}`] ?? ""),
  );
  if (!changed) return;
  event.detail.shouldSwap = false;
  const saved = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
  const revision = `[name="revision-${question}"]`;
  block.querySelector(revision).value = saved.querySelector(revision).value;
});
