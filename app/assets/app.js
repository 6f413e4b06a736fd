// Starts GOV.UK Frontend's components and marks the page as scripted. This lives in a file,
// not an inline <script>, so the Content-Security-Policy needs no 'unsafe-inline'.
import { initAll } from "/static/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

