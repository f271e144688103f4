// The real core behind the interface in vitest: each test gets its own test host on a fresh demo shop
// (launch.mjs), with the interface connected to it. Tests act as other stations through `invoke`, the same
// commands the screens call.
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import { connectToHost } from "../lib/host";
import { startHost, type TestHost } from "./launch.mjs";

/**
 * Gives each test of the file its own host, with the interface connected to it before the test starts; a
 * `firstStart` host has no configuration yet.
 */
export function withTestHost(args: string[] = [], firstStart = false): () => TestHost {
  let host: TestHost | null = null;
  let disconnect = () => {};
  beforeEach(async () => {
    host = await startHost({ args, firstStart });
    disconnect = await connectToHost(host.url);
  });
  afterEach(() => {
    // The screens go first, so nothing they started talks to a host that is gone.
    cleanup();
    disconnect();
    host?.stop();
    host = null;
  });
  return () => {
    if (!host) throw new Error("the test host runs only inside a test");
    return host;
  };
}
