/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Tauri serves the built files; relative paths keep them working under tauri://localhost, and under the test
// host (`spooltrack serve --dev --ui dist`) for the browser suites.
export default defineConfig({
  base: "./",
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  test: {
    environment: "jsdom",
    setupFiles: ["src/testing/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // Each test starts its own host on a fresh shop; a loaded machine can take a while.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
