// Builds app/static/ from the npm registry packages and our own sources in app/assets/.
// GOV.UK Frontend is compiled with Arial: the GDS Transport font belongs to GOV.UK services only.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const out = "app/static";
mkdirSync(out, { recursive: true });

const { css } = sass.compile("app/assets/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(`${out}/app.css`, css);

for (const [from, to] of [
  ["node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["node_modules/swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
  ["app/assets/app.js", "app.js"],
  ["app/assets/docs.js", "docs.js"],
]) {
  copyFileSync(from, `${out}/${to}`);
}
console.log(`built ${out}/: app.css (${css.length} bytes), GOV.UK Frontend, htmx, Swagger UI and our scripts`);
