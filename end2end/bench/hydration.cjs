// Part of `scripts/bench` (issue 10): how long the signed-in Home's hydration keeps Chromium's
// main thread, and how much of that is V8 compiling WASM functions on their first call.
//
//   node end2end/bench/hydration.cjs BASE_URL COOKIE [LOADS]
//
// Each load is a fresh browser context (nothing cached) at a phone's viewport, without CPU
// throttling. The `hydrate` export is timed by wrapping the module's exports as
// `WebAssembly.instantiate` (or `instantiateStreaming`) hands them to the wasm-bindgen glue:
// the call covers hydration itself (the module is already compiled and instantiated by then),
// with no profiler running. Printed as Markdown table rows for `.build/bench/results.md`.
const { chromium } = require('playwright-core');

const [base, cookie, loadsArg] = process.argv.slice(2);
if (!base || !cookie) {
  console.error('usage: node hydration.cjs BASE_URL NAME=VALUE [LOADS]');
  process.exit(2);
}
const loads = Number(loadsArg || 9);
const [cookieName, ...rest] = cookie.split('=');
const cookieValue = rest.join('=');

// Runs in the page before its scripts: records how long `hydrate()` ran.
function timeHydrate() {
  const wrap = (result) => {
    const real = result.instance.exports;
    const exports = { ...real };
    exports.hydrate = (...args) => {
      const start = performance.now();
      try {
        return real.hydrate(...args);
      } finally {
        window.__hydrateMs = performance.now() - start;
      }
    };
    return { module: result.module, instance: { exports } };
  };
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = (...args) => streaming(...args).then(wrap);
  // The shell compiles the module itself and the glue instantiates it: `instantiate(module)`
  // resolves to an instance, which the glue recognises by its prototype.
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = (...args) =>
    instantiate(...args).then((result) => {
      if (!(result instanceof WebAssembly.Instance)) return wrap(result);
      const { instance } = wrap({ instance: result });
      return Object.create(WebAssembly.Instance.prototype, {
        exports: { value: instance.exports },
      });
    });
}

async function load(browser, traceCategories) {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 } });
  await context.addCookies([
    { name: cookieName, value: cookieValue, url: base },
  ]);
  const page = await context.newPage();
  await page.addInitScript(timeHydrate);
  if (traceCategories) await browser.startTracing(page, { categories: traceCategories });
  await page.goto(`${base}/`);
  await page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 30000 });
  const ms = await page.evaluate(() => window.__hydrateMs);
  const trace = traceCategories ? await browser.stopTracing() : null;
  await context.close();
  if (typeof ms !== 'number') throw new Error('hydrate() was not timed: did the glue change?');
  return { ms, trace };
}

async function series(jsFlags) {
  const args = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];
  if (jsFlags) args.push(`--js-flags=${jsFlags}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  try {
    await load(browser); // the first load of a browser also starts its processes: not counted
    const times = [];
    for (let i = 0; i < loads; i += 1) times.push((await load(browser)).ms);
    let compiled = null;
    if (!jsFlags) {
      const { trace } = await load(browser, ['disabled-by-default-v8.wasm.detailed']);
      const events = JSON.parse(trace.toString()).traceEvents;
      compiled = events.filter((e) => e.name === 'wasm.CompileLazy' && e.ph === 'X').length;
    }
    return { times: times.sort((a, b) => a - b), compiled };
  } finally {
    await browser.close();
  }
}

const fmt = (ms) => `${Math.round(ms)} ms`;
const summary = ({ times }) =>
  `${fmt(times[Math.floor(times.length / 2)])} (${fmt(times[0])}–${fmt(times[times.length - 1])})`;

(async () => {
  const lazy = await series(null);
  const eager = await series('--no-wasm-lazy-compilation');
  console.log(`\n| Home's hydration, Chromium unthrottled, ${loads} loads each | median (range) | - |`);
  console.log('|---|---:|---|');
  console.log(`| \`hydrate()\` on the main thread | ${summary(lazy)} | - |`);
  console.log(`| the same with WASM compiled ahead (\`--no-wasm-lazy-compilation\`) | ${summary(eager)} | - |`);
  console.log(`| WASM functions V8 compiles on their first call while hydrating | ${lazy.compiled} | - |`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
