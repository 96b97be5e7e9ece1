//! A page's data: loaded before the first byte is sent (blocking resources, so that a page can
//! answer with a real status or redirect), written into the page for hydration and read back by
//! the browser with the same JSON decoder as a server function's answer.
//!
//! Leptos's default resource codec decodes with `serde_json::from_str` while server functions
//! decode with `serde_json::from_slice`: two deserializers of every view type in the browser
//! bundle (issue 26). [`Json`] decodes from the bytes of the string, so both paths share one.

use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::{Serialize, de::DeserializeOwned};

/// JSON for the resources' transfer, decoded like server functions' answers.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// A page's data resource.
pub type PageData<T> = Resource<T, Json>;

/// Loads `fetcher(source())` before the page is sent, again whenever `source` changes.
#[track_caller]
pub fn page_data<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageData<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, true)
}

/// Completes on the second poll, never on the first.
///
/// Leptos's server rendering calls a `Suspense`'s function child twice: a first time to
/// register the resources it reads, polling the returned `Suspend` once and dropping it (tachys
/// `dry_resolve`), then again to render. A `Suspend` that builds a page after awaiting data that
/// is already there would build that page, and create its resources, in the discarded first
/// call as well: the page's data is fetched twice and the browser hydrates against resources of
/// a page that was never sent (issue 26). Awaiting this after the data keeps the first call from
/// getting that far; the second awaits it like any other future.
#[cfg(feature = "ssr")]
pub async fn past_first_poll() {
    let mut polled = false;
    std::future::poll_fn(|cx| {
        if polled {
            std::task::Poll::Ready(())
        } else {
            polled = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_comes_back_as_it_went() {
        let value: Result<Vec<(String, i64)>, String> = Ok(vec![("Zürich".into(), 3)]);
        let text = <Json as Encoder<_>>::encode(&value).expect("encode");
        let back: Result<Vec<(String, i64)>, String> = Json::decode(&text).expect("decode");
        assert_eq!(back, value);
        assert!(<Json as Decoder<Vec<i64>>>::decode("{").is_err());
    }
}
