/**
 * The container setup (`Dockerfile`, `compose.yaml`) without a container engine: what the image
 * copies exists, the runtime needs only what `npm ci --omit=dev` installs, the image's own
 * command serves on all interfaces, and its HEALTHCHECK command passes while Larder serves and
 * fails once it stops.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnv, eventually, freePort, root } from './support/faults.ts';

const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const compose = fs.readFileSync(path.join(root, 'compose.yaml'), 'utf8');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
};

/** The Dockerfile's instructions, continuation lines joined. */
function instructions(): Array<{ name: string; args: string }> {
  return dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name = '', ...rest] = line.split(/\s+/);
      return { name: name.toUpperCase(), args: rest.join(' ') };
    });
}

/** Every file under `dir` whose name ends in `.ts` or `.js`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|js)$/.test(entry.name) ? [full] : [];
  });
}

describe('the container setup', () => {
  it('copies what exists, installs only production dependencies, and runs `larder serve` with a health check', () => {
    const steps = instructions();
    for (const copy of steps.filter((step) => step.name === 'COPY')) {
      const parts = copy.args.split(/\s+/).filter((part) => !part.startsWith('--'));
      for (const source of parts.slice(0, -1)) expect(fs.existsSync(path.join(root, source)), `COPY ${source}`).toBe(true);
    }
    expect(steps.find((step) => step.name === 'RUN' && step.args.includes('npm ci'))?.args).toMatch(/--omit=dev/);
    expect(steps.some((step) => step.name === 'RUN' && step.args.includes('bin/larder.js prepare'))).toBe(true);
    expect(steps.find((step) => step.name === 'CMD')?.args).toBe('["node", "bin/larder.js", "serve"]');
    expect(steps.find((step) => step.name === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
    expect(steps.find((step) => step.name === 'ENV')?.args).toMatch(/LARDER_HOST=0\.0\.0\.0/);
  });

  it('needs at run time no package that `npm ci --omit=dev` leaves out', () => {
    const runtime = new Set(Object.keys(packageJson.dependencies));
    const imported = new Set<string>();
    for (const file of [...sources(path.join(root, 'src')), ...sources(path.join(root, 'bin'))]) {
      const text = fs.readFileSync(file, 'utf8');
      // Type-only imports vanish at run time; every other import or dynamic import must resolve.
      for (const match of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^'.][^']*)'|import\(\s*'([^'.][^']*)'\s*\)/gm)) {
        const specifier = match[1] ?? match[2] ?? '';
        if (specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier);
        imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !runtime.has(name)).sort()).toEqual([]);
  });

  it('starts PostgreSQL first and checks both services in compose.yaml', () => {
    const services = compose.split(/\n(?= {2}\S)/);
    const postgres = services.find((block) => block.trimStart().startsWith('postgres:')) ?? '';
    const larder = services.find((block) => block.trimStart().startsWith('larder:')) ?? '';
    expect(postgres).toMatch(/healthcheck:\s*\n\s*test: \["CMD-SHELL", "pg_isready/);
    expect(larder).toMatch(/build: \./);
    expect(larder).toMatch(/depends_on:\s*\n\s*postgres:\s*\n\s*condition: service_healthy/);
    expect(larder).toMatch(/DATABASE_URL: postgres:\/\/larder:larder@postgres:5432\/larder/);
    expect(larder).toMatch(/healthcheck:\s*\n\s*test: \["CMD", "node", "-e", ".*\/healthz/);
    expect(larder).toMatch(/"127\.0\.0\.1:3000:3000"/);
  });

  it("serves on all interfaces with the image's settings, and its HEALTHCHECK passes, then fails once Larder stops", async () => {
    const env = Object.fromEntries(
      (instructions().find((step) => step.name === 'ENV')?.args.match(/\w+=\S+/g) ?? []).map((pair) => pair.split('=') as [string, string]),
    );
    const healthcheck = /CMD (node -e "[^\n]+")/.exec(dockerfile.replace(/\\\n\s*/g, ' '))?.[1];
    expect(healthcheck).toBeDefined();
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'larder-image-'));
    const imageEnv = childEnv({ ...env, PORT: String(port), LARDER_DATA_DIR: dataDir });
    const child = spawn(process.execPath, ['bin/larder.js', 'serve'], { cwd: root, env: imageEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const check = () => spawnSync('/bin/sh', ['-c', healthcheck ?? 'false'], { env: imageEnv, timeout: 10_000 }).status;
    try {
      expect(await eventually(() => check() === 0, { timeoutMs: 30_000, intervalMs: 200 }), stderr).toBe(true);
      // Listening on every interface, as a container must: the machine's other addresses answer too
      // (with 403 until LARDER_ALLOWED_ORIGINS names the host clients use, which compose passes on).
      const other = Object.values(os.networkInterfaces())
        .flat()
        .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
      if (other) {
        const response = await fetch(`http://${other}:${port}/healthz`);
        expect(response.status).toBe(403);
        expect(await response.text()).toContain('LARDER_ALLOWED_ORIGINS');
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(check()).toBe(1);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});
