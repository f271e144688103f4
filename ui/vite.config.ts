import { defineConfig } from "vite";

// Tauri serves the built files; relative paths keep them working under tauri://localhost.
export default defineConfig({
  base: "./",
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
