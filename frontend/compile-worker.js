// Compiles the portal's WASM off the page's main thread (issue 10). The shell's hydration
// script (`HydrationAfterPaint` in app/src/app.rs) posts the module's URL and instantiates the
// `WebAssembly.Module` posted back; on anything else the page loads the WASM itself.
// The server gives this script its own policy: fetch from its origin, compile WASM.
onmessage = (event) =>
  fetch(event.data)
    .then((response) => WebAssembly.compileStreaming(response))
    .then(
      (module) => postMessage(module),
      (error) => postMessage(String(error)),
    );
