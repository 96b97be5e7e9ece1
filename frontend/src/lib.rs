#![recursion_limit = "256"]
//! The browser entry: hydrates the server-rendered page.

/// Called by the shell's hydration script (`HydrationAfterPaint` in `app/src/app.rs`) once the
/// page has been painted and the WASM module is loaded. Marks `<html data-hydrated>` when
/// done, for the tests.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", "");
    }
}
