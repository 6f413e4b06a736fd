// Starts GOV.UK Frontend's components and marks the page as scripted. This lives in a file,
// not an inline <script>, so the Content-Security-Policy needs no 'unsafe-inline'.
import { initAll } from "/static/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
// On the page, and on whatever htmx brings in later: a boosted link or form replaces the
// body's content, and a field's block is swapped as it is saved. Each component starts once,
// on arrival; an error summary that arrives is focused, as on a page load (GOV.UK's pattern).
htmx.onLoad((content) => initAll({ scope: content }));
