// Prints the README's configuration table from core/config.ts (run after `npm run build`).
import { SETTINGS } from "../dist/core/config.js";

process.stdout.write("| environment | flag | default | meaning |\n|---|---|---|---|\n");
for (const [name, s] of Object.entries(SETTINGS)) {
  const d = s.schema.def?.defaultValue;
  const shown = d === undefined ? "—" : `\`${typeof d === "function" ? d() : d}\``;
  process.stdout.write(
    `| \`JINLIN_${name}\` | \`--${name.toLowerCase().replaceAll("_", "-")}\` | ${shown} | ${s.help} |\n`,
  );
}
