export const BINARY: string;

export type TestHost = {
  url: string;
  folder: string;
  invoke: <T = unknown>(command: string, args?: Record<string, unknown>) => Promise<T>;
  stop: () => void;
};

export function startHost(options?: {
  ui?: string;
  config?: string;
  args?: string[];
  firstStart?: boolean;
}): Promise<TestHost>;
