import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./i18n";
import { connectToHost, inWindow } from "./lib/host";
import "./styles.css";

// Outside the app's window the page was served by the test host, which answers on the same origin.
if (!inWindow()) await connectToHost(window.location.origin + "/");

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
