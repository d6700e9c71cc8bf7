/**
 * Starts the real server once for the whole run: `python -m tests.pwa_data_server` (a fresh migrated
 * SQLite database on a free loopback port, test-only control routes under /__test__/) and hands its
 * URL to the tests. The server stops when this process closes its standard input.
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

import type { TestProject } from "vitest/node";

const ROOT = resolve(import.meta.dirname, "../..");

export default async function setup(project: TestProject): Promise<() => void> {
  const venv = resolve(ROOT, ".venv/bin/python");
  const python = existsSync(venv) ? venv : "python3";
  const child = spawn(python, ["-m", "tests.pwa_data_server"], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const url = await new Promise<string>((done, fail) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /READY (\S+)/.exec(seen);
      if (match) done(match[1]);
    });
    child.on("exit", (code) => fail(new Error(`tests.pwa_data_server exited (${code}) before it was ready`)));
  });
  project.provide("serverUrl", url);
  return () => {
    child.stdin.end();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
  }
}
