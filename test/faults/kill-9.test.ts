/**
 * `kill -9` in the middle of a burst of writes: after a restart every acknowledged change is
 * there, each request is all or nothing, the journal agrees with the data, and a PGlite folder
 * whose lock file was left by the dead process opens again.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  callOk,
  callTool,
  createToken,
  historyDisagreements,
  listItems,
  faultSetup,
  FAULT_TARGETS,
  startServe,
  wholeHistory,
  type CallOutcome,
  type Server,
} from '../support/faults.ts';

const CALLS = 150;
const ITEMS_PER_CALL = 3;
const CONCURRENCY = 12;
/** The server dies after this many acknowledged calls, with up to CONCURRENCY - 1 others in flight. */
const KILL_AFTER_ACKS = 25;

const names = (call: number) => Array.from({ length: ITEMS_PER_CALL }, (_, k) => `burst ${call} part ${k}`);

interface Burst {
  acked: Set<number>;
  /** Calls whose request was sent and whose answer never came (the kill cut them off). */
  cutOff: Set<number>;
  /** Calls never sent. */
  unsent: Set<number>;
  other: Array<{ call: number; outcome: CallOutcome }>;
  inFlightAtKill: number;
}

/** Fires CALLS add_items calls, CONCURRENCY at a time, and SIGKILLs the server mid-burst. */
async function burstAndKill(server: Server, token: string): Promise<Burst> {
  const burst: Burst = { acked: new Set(), cutOff: new Set(), unsent: new Set(), other: [], inFlightAtKill: 0 };
  const inFlight = new Set<number>();
  let next = 0;
  let killed = false;
  const worker = async () => {
    for (;;) {
      const call = next++;
      if (call >= CALLS) return;
      if (killed) {
        burst.unsent.add(call);
        continue;
      }
      inFlight.add(call);
      const outcome = await callTool(server.url, token, 'add_items', { items: names(call).map((name) => ({ name, quantity: '2' })) }, call + 1);
      inFlight.delete(call);
      if (outcome.kind === 'ok') {
        burst.acked.add(call);
        if (!killed && burst.acked.size >= KILL_AFTER_ACKS) {
          killed = true;
          burst.inFlightAtKill = inFlight.size;
          process.kill(server.pid, 'SIGKILL');
        }
      } else if (outcome.kind === 'network-error' && killed) {
        burst.cutOff.add(call);
      } else {
        burst.other.push({ call, outcome });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return burst;
}

describe.each(FAULT_TARGETS)('kill -9 during a burst of writes ($name)', ({ kind }) => {
  it('keeps every acknowledged change, all or nothing per request, and the journal in step', { timeout: 180_000 }, async () => {
    const setup = await faultSetup(kind, 'larder-kill9-');
    const { env, lockFile, servers } = setup;
    try {
      const token = await createToken(env);
      const first = await startServe(env);
      servers.push(first);
      // One item before the burst, to check a restart keeps what was there before too.
      await callOk(first.url, token, 'add_items', { items: [{ name: 'before the burst', quantity: '1' }] });

      const burst = await burstAndKill(first, token);
      const exit = await first.exited;
      expect(exit.signal).toBe('SIGKILL');
      expect(burst.other).toEqual([]);
      expect(burst.acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
      expect(burst.inFlightAtKill).toBeGreaterThan(0);
      expect(burst.acked.size + burst.cutOff.size + burst.unsent.size).toBe(CALLS);
      if (kind === 'pglite') {
        // The dead process's lock is still there: the restart must take it over.
        expect(fs.readFileSync(lockFile, 'utf8')).toBe(String(first.pid));
      }

      const second = await startServe(env);
      servers.push(second);
      const items = await listItems(second.url, token);
      const present = new Map(items.map((item) => [item.name, item]));

      expect(present.get('before the burst')?.quantity).toBe('1');
      for (const call of burst.acked) {
        for (const name of names(call)) expect(present.get(name)?.quantity, `${name} was acknowledged`).toBe('2');
      }
      // Each call is all or nothing; calls never sent left nothing; nothing was applied twice.
      const appliedCalls = new Set<number>();
      for (let call = 0; call < CALLS; call++) {
        const there = names(call).filter((name) => present.has(name)).length;
        expect([0, ITEMS_PER_CALL], `call ${call} left ${there} of its items`).toContain(there);
        if (there > 0) appliedCalls.add(call);
      }
      for (const call of burst.unsent) expect(appliedCalls.has(call)).toBe(false);
      const cutOffApplied = [...burst.cutOff].filter((call) => appliedCalls.has(call)).length;
      expect(appliedCalls.size).toBe(burst.acked.size + cutOffApplied);
      expect(cutOffApplied).toBeLessThanOrEqual(burst.inFlightAtKill);
      expect(items).toHaveLength(1 + appliedCalls.size * ITEMS_PER_CALL);
      expect(items.every((item) => item.name === 'before the burst' || item.quantity === '2')).toBe(true);

      // The journal: exactly one item.add per item row, none for rows that are not there.
      const history = await wholeHistory(second.url, token);
      expect(historyDisagreements(items, history)).toEqual([]);
      expect(history.filter((event) => event.entity === 'item' && event.kind === 'item.add')).toHaveLength(items.length);
      expect(history.filter((event) => event.entity === 'item' && event.kind !== 'item.add')).toEqual([]);

      // The restarted server writes, and stops cleanly (PGlite: its lock goes with it).
      await callOk(second.url, token, 'add_items', { items: [{ name: 'after the restart' }] });
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
      if (kind === 'pglite') expect(fs.existsSync(lockFile)).toBe(false);
    } finally {
      await setup.cleanup();
    }
  });
});
