// Starts the test host (`spooltrack serve --dev`) on a fresh demo shop in a folder of its own, on a free
// loopback port, for vitest (host.ts) and the browser suites (browser/harness.mjs) alike.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

/** The app's binary, built by `cargo build` before the interface's tests run (from ui/, as npm runs them). */
export const BINARY = process.env.SPOOLTRACK_BIN ?? resolve("../target/debug/spooltrack");

/**
 * Starts a host and waits for the address it prints; `ui` is a built interface for it to serve too, `config` a
 * station configuration to use instead of a fresh demo shop, `args` more of the binary's flags (`--pantalla`),
 * `firstStart` a host with no configuration yet (its setup writes `estacion/config.toml` in its folder).
 */
export async function startHost({ ui, config, args = [], firstStart = false } = {}) {
  const folder = mkdtempSync(join(tmpdir(), "spooltrack-ui-"));
  if (firstStart) {
    config = join(folder, "estacion", "config.toml");
  } else if (!config) {
    config = join(folder, "config.toml");
    writeFileSync(
      config,
      `station = "pantalla-prueba"\n[embedded]\ndatabase = ${JSON.stringify(join(folder, "shop.db"))}\n` +
        `[export]\nfolder = ${JSON.stringify(folder)}\n`,
    );
  }
  // The host's data folder (a demo chosen at first start keeps its shop there) is its own.
  const child = spawn(BINARY, ["--config", config, "serve", "--dev", ...(ui ? ["--ui", ui] : []), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, XDG_DATA_HOME: folder },
  });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", (line) => resolve(line.trim()));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${BINARY} serve --dev ended (${code}) before listening`)));
  });
  return {
    url,
    /** The host's own folder: its shop, its configuration and what it exports. */
    folder,
    /** Calls a command as the screens do; a refused one throws with its error payload. */
    async invoke(command, args = {}) {
      const response = await fetch(new URL(`ipc/${command}`, url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(args),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(`${command}: ${JSON.stringify(body)}`);
      return body;
    },
    stop() {
      child.kill();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
