/// <reference types="vitest/config" />
import { resolve } from "node:path";
import { defineConfig } from "vite";

// Tauri serves the built files; relative paths keep them working under tauri://localhost.
// `vite build --mode fake` builds the same interface on the in-memory fake backend into dist-fake/, for the
// browser tests (browser/) and for looking at the screens without the app.
export default defineConfig(({ mode }) => ({
  base: "./",
  clearScreen: false,
  build:
    mode === "fake"
      ? { outDir: "dist-fake", emptyOutDir: true, target: "es2022", rollupOptions: { input: resolve(__dirname, "fake.html") } }
      : { outDir: "dist", emptyOutDir: true, target: "es2022" },
  test: {
    environment: "jsdom",
    setupFiles: ["src/testing/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
}));
