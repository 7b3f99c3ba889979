/**
 * A burst of LLM calls against the fake OpenAI server: how close the client gets to the ideal
 * time (requests × latency ÷ concurrency) and whether it ever exceeds its concurrency.
 *
 * Run: npx tsx bench/llm-burst.ts [--requests 200] [--latency 50] [--concurrency 4]
 * A ratio near 1.0 means the queue keeps every slot busy; the overhead is HTTP and scheduling.
 */
import { parseArgs } from 'node:util';
import { createLlm } from '../src/core/llm/llm.ts';
import { silentLogger } from '../src/core/log.ts';
import { startFakeOpenAi } from '../test/support/fake-openai.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    latency: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '4' },
  },
});
const requests = Number(values.requests);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);

const fake = await startFakeOpenAi({ latencyMs });
try {
  // RPM far above the burst: this measures the concurrency queue, not the rate cap.
  const llm = createLlm(
    { baseURL: fake.url, apiKey: 'bench', model: 'fake-chat', concurrency, rpm: 1_000_000 },
    { log: silentLogger() },
  );
  if (!llm) throw new Error('the LLM client was not created');

  // One call first, so connection setup is not billed to the burst.
  await llm.complete([{ role: 'user', content: 'warm up' }], { householdId: 1 });
  fake.reset();

  const started = performance.now();
  await Promise.all(
    Array.from({ length: requests }, (_, i) => llm.complete([{ role: 'user', content: `item ${i}` }], { householdId: 1 })),
  );
  const totalMs = performance.now() - started;
  const idealMs = (requests * latencyMs) / concurrency;

  // The same work as C plain fetch loops with no queue: the floor set by HTTP and the fake's timers.
  fake.reset();
  let next = 0;
  const baselineStarted = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const response = await fetch(`${fake.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
          body: JSON.stringify({ model: 'fake-chat', messages: [{ role: 'user', content: 'baseline' }] }),
        });
        await response.json();
      }
    }),
  );
  const baselineMs = performance.now() - baselineStarted;

  console.log(`requests        ${requests}`);
  console.log(`latency         ${latencyMs} ms`);
  console.log(`concurrency     ${concurrency}`);
  console.log(`total           ${totalMs.toFixed(0)} ms (ideal ${idealMs.toFixed(0)} ms)`);
  console.log(`ratio           ${(totalMs / idealMs).toFixed(3)}`);
  console.log(`baseline ratio  ${(baselineMs / idealMs).toFixed(3)} (${concurrency} plain fetch loops, no queue)`);
  console.log(`max in flight   ${fake.maxInFlight} at the server, ${llm.stats().maxInFlight} in the client`);
  if (fake.maxInFlight > concurrency) {
    console.error(`FAIL: ${fake.maxInFlight} requests in flight, above the concurrency of ${concurrency}`);
    process.exitCode = 1;
  }
} finally {
  await fake.close();
}
